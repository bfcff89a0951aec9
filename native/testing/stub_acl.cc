// A stand-in for CANN's link-only stub libascendcl.so: it exports every function we use and
// each answers ACL_ERROR_COMPILING_STUB_MODE (100039). The loader must reject it at open.
#include "acl/acl_errors.h"
#include "acl/acl_functions.h"

#include <type_traits>

namespace {
template <typename R>
R StubResult() {
  if constexpr (std::is_pointer_v<R>) {
    return nullptr;
  } else {
    return static_cast<R>(acl::ACL_ERROR_COMPILING_STUB_MODE);
  }
}
}  // namespace

#define STUB_DEFINE(ret, name, params, args) \
  extern "C" __attribute__((visibility("default"))) ret name params { return StubResult<ret>(); }
ACL_REQUIRED_FUNCTIONS(STUB_DEFINE)
ACL_MODEL_FUNCTIONS(STUB_DEFINE)
ACL_OPTIONAL_FUNCTIONS(STUB_DEFINE)
#undef STUB_DEFINE
