// The outcome of loading or running a graph: an AscendCL error code and a message that names
// the node, op, input or file involved. The executor knows nothing of AscendCL's API, only of
// the codes the model layer reports (api.md).
#ifndef ASCENDCL_SIM_EXECUTOR_STATUS_H_
#define ASCENDCL_SIM_EXECUTOR_STATUS_H_

#include <string>
#include <utility>

namespace aclsim::exec {

// Codes used by the executor (values from native/acl/acl_errors.h).
enum StatusCode : int {
  kOk = 0,
  kInvalidModel = 145000,      // ACL_ERROR_GE_PARAM_INVALID: malformed/truncated bytes, unsupported op
  kModelPathInvalid = 145002,  // ACL_ERROR_GE_EXEC_MODEL_PATH_INVALID: file missing or unreadable
  kDataSizeInvalid = 145006,   // ACL_ERROR_GE_EXEC_MODEL_DATA_SIZE_INVALID
  kShapeInvalid = 145021,      // ACL_ERROR_GE_SHAPE_INVALID: inputs whose shapes the graph rejects
  kDataTypeInvalid = 145022,   // ACL_ERROR_GE_DATATYPE_INVALID
  kOutOfMemory = 245000,       // ACL_ERROR_GE_MEMORY_ALLOCATION: the host's memory
  kDeviceOutOfMemory = 207001, // ACL_ERROR_RT_MEMORY_ALLOCATION: a run's values exceed its device's (MemoryBudget)
  kInternal = 545000,          // ACL_ERROR_GE_INTERNAL_ERROR: a bug of ours, never the caller's
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(int code, std::string message) { return Status(code, std::move(message)); }

  bool ok() const { return code_ == kOk; }
  int code() const { return code_; }
  const std::string &message() const { return message_; }
  // Prefix the message with context ("node 'conv1' (Conv): ...").
  Status Annotate(const std::string &context) const {
    return ok() ? *this : Status(code_, context + ": " + message_);
  }

 private:
  Status(int code, std::string message) : code_(code), message_(std::move(message)) {}
  int code_ = kOk;
  std::string message_;
};

// printf-style constructors for the common cases.
Status InvalidModel(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
Status ShapeError(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
Status TypeError(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
Status InternalError(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define EXEC_RETURN_IF_ERROR(expr)            \
  do {                                        \
    ::aclsim::exec::Status status_ = (expr);  \
    if (!status_.ok()) return status_;        \
  } while (0)

}  // namespace aclsim::exec

#endif  // ASCENDCL_SIM_EXECUTOR_STATUS_H_
