// Calling AscendCL from the addon: the one function table, and failures captured on the thread
// that saw them.
//
// Sync or async: everything here is synchronous. Thread: any (the table is immutable while a
// runtime is open).
#ifndef ASCENDCL_ADDON_ACL_CALL_H_
#define ASCENDCL_ADDON_ACL_CALL_H_

#include <string>

#include "acl/acl_table.h"

namespace ascendcl {

// The table of the library that is loaded now. Valid while at least one Runtime is open; every
// caller holds a RuntimeCore, so it is.
const acl::FunctionTable &Acl();

// A failed runtime call (or a refusal by the binding for a runtime reason), as plain data so it
// can cross threads; converted to a JS AclError only on the JS thread.
struct AclFailure {
  int code = 0;
  std::string api;             // the C function, or a binding operation such as 'device.faulted'
  std::string recent_message;  // from aclGetRecentErrMsg on the failing thread
  bool has_recent_message = false;
  int device_id = -1;          // -1: none
  std::string message;         // extra text from the binding; empty for a plain runtime failure
};

// Capture a failure right after `api` returned `code`: reads (and so clears) the runtime's
// recent error message on this thread, as only the failing thread can.
AclFailure CaptureFailure(int code, const char *api, int device_id);

// A failure made by the binding itself (no runtime message to read).
AclFailure BindingFailure(int code, const char *api, int device_id, std::string message);

// Discard the calling thread's queued recent-error messages (after an expected failure such as
// an intermediate timeout slice, so they do not leak into the next real error).
void DiscardRecentMessages();

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_ACL_CALL_H_
