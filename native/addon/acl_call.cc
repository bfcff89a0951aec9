#include "acl_call.h"

#include "process_runtime.h"

namespace ascendcl {

const acl::FunctionTable &Acl() { return ProcessRuntime::Instance().fn(); }

AclFailure CaptureFailure(int code, const char *api, int device_id) {
  AclFailure failure;
  failure.code = code;
  failure.api = api;
  failure.device_id = device_id;
  if (ProcessRuntime::Instance().loaded()) {
    const char *recent = Acl().aclGetRecentErrMsg();
    if (recent != nullptr && recent[0] != '\0') {
      failure.recent_message = recent;
      failure.has_recent_message = true;
    }
  }
  return failure;
}

AclFailure BindingFailure(int code, const char *api, int device_id, std::string message) {
  AclFailure failure;
  failure.code = code;
  failure.api = api;
  failure.device_id = device_id;
  failure.message = std::move(message);
  return failure;
}

void DiscardRecentMessages() {
  if (ProcessRuntime::Instance().loaded()) Acl().aclGetRecentErrMsg();
}

}  // namespace ascendcl
