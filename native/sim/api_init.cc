// aclInit / aclFinalize / aclFinalizeReference, versions, aclGetRecentErrMsg (reference §4.1, §5.1).
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "sim/api_common.h"
#include "sim/faults.h"
#include "sim/model/model_registry.h"
#include "sim/report.h"
#include "sim/util.h"

using namespace aclsim;

namespace {

constexpr const char *kVersion = "8.5.0-sim";

// Reads the config file the way the runtime does: it must exist and be a readable regular file.
// The simulator recognises no keys, so the content is not interpreted.
aclError CheckConfigFile(const char *path) {
  struct stat st {};
  if (stat(path, &st) != 0) {
    return Fail(acl::ACL_ERROR_INVALID_FILE, "cannot open config file \"%s\": %s", path, std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Fail(acl::ACL_ERROR_INVALID_FILE, "config file \"%s\" is not a regular file", path);
  }
  FILE *file = std::fopen(path, "r");
  if (file == nullptr) {
    return Fail(acl::ACL_ERROR_INVALID_FILE, "cannot open config file \"%s\": %s", path, std::strerror(errno));
  }
  std::fclose(file);
  return ACL_SUCCESS;
}

// lifecycle_mu held. Releases everything, keeping the leak report of what was still live.
void TearDownAll(State &state) {
  state.final_leak_report = BuildLeakReport();
  const char *print = std::getenv("ASCENDCL_SIM_LEAK_REPORT");
  if (print != nullptr && std::strcmp(print, "1") == 0) std::fputs(state.final_leak_report.c_str(), stderr);

  // New calls fail with 100001 from here on; objects in use by a concurrent call stay valid
  // because everything is reference-counted.
  state.initialized.store(false, std::memory_order_release);
  const int count = state.device_count.load(std::memory_order_acquire);
  for (int d = 0; d < count; ++d) TearDownDevice(state.device(d), /*force=*/true, "aclFinalize");
  state.callbacks.Clear();
  state.host_memory.Release(-1, UINT64_MAX, "aclFinalize");
  // No stream has work any more: the workers and the timer thread can be joined.
  state.scheduler.Shutdown();
  model::StopExecutorPool();
  for (int d = 0; d < count; ++d) {
    Device &device = state.device(d);
    device.memory.Unreserve();
    device.user_streams.store(0);
    device.events.store(0);
  }
  state.device_count.store(0, std::memory_order_release);
  state.init_ref_count = 0;
}

}  // namespace

ACLSIM_EXPORT aclError aclInit(const char *configPath) {
  return Guarded("aclInit", kFaultable, [&]() -> aclError {
    State &state = State::Get();
    std::lock_guard<std::mutex> lock(state.lifecycle_mu);
    if (state.initialized.load(std::memory_order_acquire)) {
      ++state.init_ref_count;
      return Fail(acl::ACL_ERROR_REPEAT_INITIALIZE,
                  "AscendCL is already initialised; the reference count is now %llu (callers may treat this code as "
                  "success)",
                  static_cast<unsigned long long>(state.init_ref_count));
    }
    if (configPath != nullptr && configPath[0] != '\0') {
      if (aclError code = CheckConfigFile(configPath); code != 0) return code;
    }
    Options options;
    std::string error;
    if (!state.option_store.Resolve(&options, &error)) return Fail(acl::ACL_ERROR_INVALID_PARAM, "%s", error.c_str());
    // The `threads` option: the executor's threads for model work. First, so that a failure to
    // start them leaves nothing else half done.
    model::StartExecutorPool(options.threads);

    for (int d = 0; d < options.devices; ++d) {
      Device &device = state.device(d);
      if (!device.memory.Reserve(d, options.memory_bytes, &error)) {
        for (int undo = 0; undo < d; ++undo) state.device(undo).memory.Unreserve();
        model::StopExecutorPool();
        return Fail(acl::ACL_ERROR_RT_MEMORY_ALLOCATION, "%s", error.c_str());
      }
      std::lock_guard<std::mutex> device_lock(device.mu);
      device.ref_count = 0;
      device.default_context.reset();
      device.lost_reason.clear();
      device.lost_code.store(0);
      device.user_streams.store(0);
      device.events.store(0);
    }
    // Option faults count from the first aclInit that sees them (a new value of the option or of
    // ASCENDCL_SIM_FAULTS), not from every re-init.
    std::string faults_key =
        std::to_string(state.option_store.faults_generation()) + "|" + FormatFaults(options.faults);
    if (state.faults_applied != faults_key) {
      Faults::Get().ReplaceOptionRules(options.faults);
      state.faults_applied = faults_key;
    }
    state.strict.store(options.strict);
    state.max_streams.store(options.max_streams);
    state.max_events.store(options.max_events);
    state.device_count.store(options.devices, std::memory_order_release);
    state.options = std::move(options);
    state.init_ref_count = 1;
    state.init_pid = static_cast<long>(getpid());
    state.initialized.store(true, std::memory_order_release);
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclFinalize(void) {
  return Guarded("aclFinalize", kFaultable, []() -> aclError {
    State &state = State::Get();
    std::lock_guard<std::mutex> lock(state.lifecycle_mu);
    if (!state.initialized.load(std::memory_order_acquire)) {
      return Fail(acl::ACL_ERROR_REPEAT_FINALIZE, "AscendCL is not initialised (already finalised, or aclInit was never "
                  "called)");
    }
    TearDownAll(state);
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclFinalizeReference(uint64_t *refCount) {
  return Guarded("aclFinalizeReference", kFaultable, [&]() -> aclError {
    State &state = State::Get();
    std::lock_guard<std::mutex> lock(state.lifecycle_mu);
    if (!state.initialized.load(std::memory_order_acquire) || state.init_ref_count == 0) {
      if (refCount != nullptr) *refCount = 0;
      return Fail(acl::ACL_ERROR_REPEAT_FINALIZE, "AscendCL is not initialised (reference count is already 0)");
    }
    if (--state.init_ref_count == 0) TearDownAll(state);
    if (refCount != nullptr) *refCount = state.init_ref_count;
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT const char *aclGetRecentErrMsg(void) {
  // Never faultable and works before aclInit: it is how every other failure is explained.
  return GuardedString("aclGetRecentErrMsg", kNoChecks, [] { return TakeMessages(); });
}

ACLSIM_EXPORT aclError aclrtGetVersion(int32_t *majorVersion, int32_t *minorVersion, int32_t *patchVersion) {
  return Guarded("aclrtGetVersion", kFaultable, [&]() -> aclError {
    if (majorVersion == nullptr || minorVersion == nullptr || patchVersion == nullptr) {
      return Fail(acl::ACL_ERROR_INVALID_PARAM, "majorVersion, minorVersion and patchVersion must not be NULL");
    }
    *majorVersion = ACL_MAJOR_VERSION;
    *minorVersion = ACL_MINOR_VERSION;
    *patchVersion = ACL_PATCH_VERSION;
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclsysGetVersionStr(char *pkgName, char *versionStr) {
  return Guarded("aclsysGetVersionStr", kFaultable, [&]() -> aclError {
    if (pkgName == nullptr || versionStr == nullptr) {
      return Fail(acl::ACL_ERROR_INVALID_PARAM, "pkgName and versionStr must not be NULL");
    }
    std::strcpy(versionStr, kVersion);  // documented to fit any buffer of 64 bytes or more
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclsysGetCANNVersion(aclCANNPackageName name, aclCANNPackageVersion *version) {
  return Guarded("aclsysGetCANNVersion", kFaultable, [&]() -> aclError {
    if (version == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "version must not be NULL");
    if (int raw = RawEnum(name); raw < ACL_PKG_NAME_CANN || raw > ACL_PKG_NAME_DRIVER) {
      return Fail(acl::ACL_ERROR_INVALID_PARAM, "package name %d is not an aclCANNPackageName (0..7)", raw);
    }
    std::memset(version, 0, sizeof(*version));
    std::snprintf(version->version, sizeof(version->version), "%s", kVersion);
    std::snprintf(version->majorVersion, sizeof(version->majorVersion), "8");
    std::snprintf(version->minorVersion, sizeof(version->minorVersion), "5");
    std::snprintf(version->releaseVersion, sizeof(version->releaseVersion), "0");
    std::snprintf(version->patchVersion, sizeof(version->patchVersion), "0");
    return ACL_SUCCESS;
  });
}
