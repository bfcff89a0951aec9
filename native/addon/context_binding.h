// Binding AscendCL contexts on whatever thread makes a call.
//
// AscendCL keeps the current context per thread and fails with 107002 on a thread that has none
// (design.md §4). The addon therefore binds the right context before every call that needs one.
// The last binding is cached per thread, so binding an already-bound context costs a compare.
// A global epoch invalidates every thread's cache when any context is destroyed (device reset or
// runtime close), because a new context may reuse the old handle's address on real hardware.
#ifndef ASCENDCL_ADDON_CONTEXT_BINDING_H_
#define ASCENDCL_ADDON_CONTEXT_BINDING_H_

#include "acl/acl_abi.h"

namespace ascendcl {

// Make `context` current on the calling thread. Returns the runtime's error code (0 on success).
int BindContext(aclrtContext context);

// Forget every thread's cached binding (call after destroying or resetting contexts).
void InvalidateContextBindings();

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_CONTEXT_BINDING_H_
