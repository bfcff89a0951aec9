#include "sim/executor/status.h"

#include <cstdarg>

#include "sim/util.h"

namespace aclsim::exec {
namespace {
Status Make(int code, const char *fmt, va_list args) { return Status::Error(code, VSprintf(fmt, args)); }
}  // namespace

#define ACLSIM_STATUS_CONSTRUCTOR(Name, code)  \
  Status Name(const char *fmt, ...) {          \
    va_list args;                              \
    va_start(args, fmt);                       \
    Status status = Make(code, fmt, args);     \
    va_end(args);                              \
    return status;                             \
  }
ACLSIM_STATUS_CONSTRUCTOR(InvalidModel, kInvalidModel)
ACLSIM_STATUS_CONSTRUCTOR(ShapeError, kShapeInvalid)
ACLSIM_STATUS_CONSTRUCTOR(TypeError, kDataTypeInvalid)
ACLSIM_STATUS_CONSTRUCTOR(InternalError, kInternal)
#undef ACLSIM_STATUS_CONSTRUCTOR

}  // namespace aclsim::exec
