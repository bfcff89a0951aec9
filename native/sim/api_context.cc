// Contexts (reference §4.3, §5.2). The current context is per thread (state.cc).
#include "sim/api_common.h"
#include "sim/util.h"

using namespace aclsim;

ACLSIM_EXPORT aclError aclrtCreateContext(aclrtContext *context, int32_t deviceId) {
  return Guarded("aclrtCreateContext", kStandard, [&]() -> aclError {
    if (context == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "context must not be NULL");
    State &state = State::Get();
    if (!state.ValidDevice(deviceId)) {
      return Fail(acl::ACL_ERROR_RT_INVALID_DEVICEID, "device id %d is out of range: %d device(s) configured", deviceId,
                  state.device_count.load());
    }
    if (aclError code = CheckDeviceUsable(deviceId); code != 0) return code;
    std::shared_ptr<Context> created = CreateContextObject(deviceId, /*is_default=*/false, "aclrtCreateContext");
    SetCurrentContext(created);
    *context = HandleValue(created->id());
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclrtDestroyContext(aclrtContext context) {
  return Guarded("aclrtDestroyContext", kStandard, [&]() -> aclError {
    std::shared_ptr<Context> found;
    if (aclError code = FindContext(context, &found); code != 0) return code;
    if (found->is_default()) {
      return Fail(acl::ACL_ERROR_RT_PARAM_INVALID,
                  "context %s is the default context of device %d: use aclrtResetDevice to release it",
                  Hex(found->id()).c_str(), found->device());
    }
    // Allowed on a lost device: releasing resources is how a user recovers from the fault.
    DestroyContextObject(found, /*force=*/false);
    std::shared_ptr<Context> current = CurrentContext();
    if (current == nullptr || current->id() == found->id()) ClearCurrentContext();
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclrtSetCurrentContext(aclrtContext context) {
  return Guarded("aclrtSetCurrentContext", kStandard, [&]() -> aclError {
    std::shared_ptr<Context> found;
    if (aclError code = FindContext(context, &found); code != 0) return code;
    if (aclError code = CheckDeviceUsable(found->device()); code != 0) return code;
    SetCurrentContext(found);
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclrtGetCurrentContext(aclrtContext *context) {
  return Guarded("aclrtGetCurrentContext", kStandard, [&]() -> aclError {
    if (context == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "context must not be NULL");
    std::shared_ptr<Context> current;
    if (aclError code = RequireContext(&current); code != 0) return code;
    *context = HandleValue(current->id());
    return ACL_SUCCESS;
  });
}
