// Devices (reference §4.2, §5.2): set/reset, count, run mode, SoC name, synchronize, memory info.
#include <deque>

#include "sim/api_common.h"
#include "sim/util.h"

using namespace aclsim;

namespace {

aclError InvalidDevice(int32_t device_id) {
  int count = State::Get().device_count.load(std::memory_order_acquire);
  return Fail(acl::ACL_ERROR_RT_INVALID_DEVICEID, "device id %d is out of range: %d device(s) configured (ids 0..%d)",
              device_id, count, count - 1);
}

// Options as aclInit uses (or will use) them, for the calls that work before aclInit.
aclError EffectiveOptions(Options *out) {
  State &state = State::Get();
  std::lock_guard<std::mutex> lock(state.lifecycle_mu);
  if (state.initialized.load(std::memory_order_acquire)) {
    *out = state.options;
    return ACL_SUCCESS;
  }
  std::string error;
  if (!state.option_store.Resolve(out, &error)) return Fail(acl::ACL_ERROR_INVALID_PARAM, "%s", error.c_str());
  return ACL_SUCCESS;
}

// aclrtGetSocName returns a pointer callers keep: names are interned and never freed, so a pointer
// stays valid even after the socName option changes.
const char *InternSocName(const std::string &name) {
  static std::mutex mu;
  static auto *names = new std::deque<std::string>();
  std::lock_guard<std::mutex> lock(mu);
  for (const std::string &n : *names) {
    if (n == name) return n.c_str();
  }
  names->push_back(name);
  return names->back().c_str();
}

aclError SynchronizeDevice(int32_t timeout_ms) {
  std::shared_ptr<Context> context;
  if (aclError code = RequireContext(&context); code != 0) return code;
  int device = context->device();
  auto streams = State::Get().streams.Select([device](const Stream &s) { return s.device() == device; });
  return WaitStreams(streams, DeadlineFor(timeout_ms), acl::ACL_ERROR_RT_STREAM_SYNC_TIMEOUT, timeout_ms);
}

}  // namespace

ACLSIM_EXPORT aclError aclrtSetDevice(int32_t deviceId) {
  return Guarded("aclrtSetDevice", kStandard, [&]() -> aclError {
    State &state = State::Get();
    if (!state.ValidDevice(deviceId)) return InvalidDevice(deviceId);
    if (aclError code = CheckDeviceUsable(deviceId); code != 0) return code;
    Device &device = state.device(deviceId);
    std::shared_ptr<Context> context;
    {
      std::lock_guard<std::mutex> lock(device.mu);
      if (device.default_context == nullptr) {
        device.default_context = CreateContextObject(deviceId, /*is_default=*/true, "aclrtSetDevice");
      }
      ++device.ref_count;
      context = device.default_context;
    }
    SetCurrentContext(context);
    return ACL_SUCCESS;
  });
}

namespace {

aclError ResetDevice(const char *api, int32_t deviceId, bool force) {
  State &state = State::Get();
  if (!state.ValidDevice(deviceId)) return InvalidDevice(deviceId);
  Device &device = state.device(deviceId);
  if (!force) {
    std::lock_guard<std::mutex> lock(device.mu);
    if (device.ref_count == 0) {
      return Fail(acl::ACL_ERROR_RT_PARAM_INVALID,
                  "device %d is not set (reference count is 0): aclrtResetDevice without a matching aclrtSetDevice",
                  deviceId);
    }
    // Lower counts only drop a reference; the last one releases the device.
    if (--device.ref_count > 0) return ACL_SUCCESS;
  }
  // Waits for the device's work (forced: drops what has not started), then releases everything.
  TearDownDevice(device, force, api);
  return ACL_SUCCESS;
}

}  // namespace

ACLSIM_EXPORT aclError aclrtResetDevice(int32_t deviceId) {
  return Guarded("aclrtResetDevice", kStandard, [&] { return ResetDevice("aclrtResetDevice", deviceId, false); });
}

ACLSIM_EXPORT aclError aclrtResetDeviceForce(int32_t deviceId) {
  return Guarded("aclrtResetDeviceForce", kStandard,
                 [&] { return ResetDevice("aclrtResetDeviceForce", deviceId, true); });
}

ACLSIM_EXPORT aclError aclrtGetDevice(int32_t *deviceId) {
  return Guarded("aclrtGetDevice", kStandard, [&]() -> aclError {
    if (deviceId == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "deviceId must not be NULL");
    std::shared_ptr<Context> context;
    if (aclError code = RequireContext(&context); code != 0) return code;
    *deviceId = context->device();
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclrtGetDeviceCount(uint32_t *count) {
  // Works before aclInit: the loader probes it right after dlopen.
  return Guarded("aclrtGetDeviceCount", kFaultable, [&]() -> aclError {
    if (count == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "count must not be NULL");
    Options options;
    if (aclError code = EffectiveOptions(&options); code != 0) return code;
    *count = static_cast<uint32_t>(options.devices);
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclrtGetRunMode(aclrtRunMode *runMode) {
  return Guarded("aclrtGetRunMode", kFaultable, [&]() -> aclError {
    if (runMode == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "runMode must not be NULL");
    *runMode = ACL_HOST;  // the application runs on the host, as with a PCIe card
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT const char *aclrtGetSocName(void) {
  return GuardedString("aclrtGetSocName", kFaultable, []() -> const char * {
    Options options;
    if (EffectiveOptions(&options) != 0) return nullptr;
    return InternSocName(options.soc_name);
  });
}

ACLSIM_EXPORT aclError aclrtSynchronizeDevice(void) {
  return Guarded("aclrtSynchronizeDevice", kStandard, [] { return SynchronizeDevice(-1); });
}

ACLSIM_EXPORT aclError aclrtSynchronizeDeviceWithTimeout(int32_t timeout) {
  return Guarded("aclrtSynchronizeDeviceWithTimeout", kStandard, [&]() -> aclError {
    if (aclError code = CheckTimeout(timeout, acl::ACL_ERROR_RT_PARAM_INVALID); code != 0) return code;
    return SynchronizeDevice(timeout);
  });
}

ACLSIM_EXPORT aclError aclrtGetMemInfo(aclrtMemAttr attr, size_t *free, size_t *total) {
  return Guarded("aclrtGetMemInfo", kStandard, [&]() -> aclError {
    if (free == nullptr || total == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "free and total must not be NULL");
    std::shared_ptr<Context> context;
    if (aclError code = RequireContext(&context); code != 0) return code;
    // Every attribute reports the one memory pool the simulated device has.
    DeviceMemory::Totals totals = State::Get().device(context->device()).memory.totals();
    *total = totals.capacity;
    *free = totals.capacity - totals.consumed;
    return ACL_SUCCESS;
  });
}
