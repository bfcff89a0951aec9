// probeLibraries(libraryPath?): where the real runtime would be looked for, and what each
// candidate is — for diagnose(). Sync. Throws nothing: every failure is a row of the result.
#ifndef ASCENDCL_ADDON_LIBRARY_PROBE_H_
#define ASCENDCL_ADDON_LIBRARY_PROBE_H_

#include <napi.h>

namespace ascendcl {

// [{ path, resolvedPath, ok, stub, simulator, reason, missingOptional }] in search order
// (acl::NpuCandidates). Opens each candidate with the same checks the 'npu' backend makes (every
// required symbol, the stub probe) but never calls aclInit, so it is safe while a runtime of
// either backend is open.
Napi::Value ProbeLibraries(const Napi::CallbackInfo &info);

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_LIBRARY_PROBE_H_
