// Turning failures into the JS error classes of api.md (AclError, AclClosedError,
// AclLoadError). The classes live in lib/errors.ts; lib/ hands their factories over at load.
// Thread: JS thread only.
#ifndef ASCENDCL_ADDON_ERRORS_H_
#define ASCENDCL_ADDON_ERRORS_H_

#include <napi.h>

#include <string>
#include <vector>

#include "acl/acl_table.h"
#include "acl_call.h"

namespace ascendcl {

Napi::Value AclErrorValue(Napi::Env env, const AclFailure &failure);
[[noreturn]] void ThrowAclError(Napi::Env env, const AclFailure &failure);

Napi::Value ClosedErrorValue(Napi::Env env, const char *resource);
[[noreturn]] void ThrowClosed(Napi::Env env, const char *resource);

[[noreturn]] void ThrowLoadError(Napi::Env env, const std::string &message,
                                 const std::vector<acl::LoadAttempt> &attempts, const std::string &advice);

[[noreturn]] void ThrowTypeError(Napi::Env env, const std::string &message);
[[noreturn]] void ThrowRangeError(Napi::Env env, const std::string &message);

// After a runtime call: throw AclError (with the recent message read now) unless rc is 0.
inline void Check(Napi::Env env, int rc, const char *api, int device_id) {
  if (rc != 0) ThrowAclError(env, CaptureFailure(rc, api, device_id));
}

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_ERRORS_H_
