// The C boundary: what the simulator exports and the guard every exported function runs in.
//
// Every function of ACL_REQUIRED_FUNCTIONS, ACL_OPTIONAL_FUNCTIONS, ACL_MODEL_FUNCTIONS, ACLSIM_FUNCTIONS and
// ACLSIM_MODEL_FUNCTIONS is declared
// (aclsim.h) from the one list in acl_functions.h, extern "C" with default visibility (the build
// hides everything else). A definition whose signature drifts from the list fails to compile
// ("conflicting declaration of C function"), so the exported ABI cannot silently diverge from the
// table the addon fills with dlsym.
#ifndef ASCENDCL_SIM_EXPORT_H_
#define ASCENDCL_SIM_EXPORT_H_

#include "sim/aclsim.h"
#include "sim/recent_errors.h"

// Definitions repeat the visibility so that no build flag can hide an export.
#define ACLSIM_EXPORT extern "C" __attribute__((visibility("default")))

namespace aclsim {

// What the guard checks before the body runs.
enum ApiFlags : unsigned {
  kNoChecks = 0,
  kNeedsInit = 1u << 0,  // 100001 before aclInit
  kFaultable = 1u << 1,  // aclsimInjectFault can make it fail
  kStandard = kNeedsInit | kFaultable,
};

// Fault injection first ("fails before doing anything else"), then the init check. Returns the
// code the call must fail with (message queued), or 0.
aclError EnterApi(const char *api, unsigned flags);

// Converts the exception being handled into an error code with a message. Call only inside a
// catch block. std::bad_alloc becomes 207001 in runtime (aclrt*) functions and 100000 elsewhere;
// anything else is an internal error (507000).
aclError CurrentExceptionToError(const char *api) noexcept;

// Runs `body` (returning aclError) as exported function `api`: sets the name messages are
// prefixed with, runs the entry checks and turns any C++ exception into an error code. Nothing
// may throw across the C ABI.
template <typename Body>
aclError Guarded(const char *api, unsigned flags, Body &&body) noexcept {
  ApiScope scope(api);
  try {
    if (aclError code = EnterApi(api, flags); code != 0) return code;
    return body();
  } catch (...) {
    return CurrentExceptionToError(api);
  }
}

// The same for functions that return a string: nullptr when faulted or failing.
template <typename Body>
const char *GuardedString(const char *api, unsigned flags, Body &&body) noexcept {
  ApiScope scope(api);
  try {
    if (EnterApi(api, flags) != 0) return nullptr;
    return body();
  } catch (...) {
    CurrentExceptionToError(api);
    return nullptr;
  }
}

}  // namespace aclsim

#endif  // ASCENDCL_SIM_EXPORT_H_
