// Per-environment state (one per main thread or worker_thread), kept in N-API instance data so
// that the addon is context-aware: nothing here is shared between threads.
#ifndef ASCENDCL_ADDON_ADDON_DATA_H_
#define ASCENDCL_ADDON_ADDON_DATA_H_

#include <napi.h>

#include <set>
#include <thread>

namespace ascendcl {

class HeapTrimmer;
class RuntimeCore;

struct AddonData {
  // Classes, to create wrapped objects from C++.
  Napi::FunctionReference runtime_class;
  Napi::FunctionReference device_class;
  Napi::FunctionReference stream_class;
  Napi::FunctionReference event_class;
  Napi::FunctionReference device_buffer_class;
  Napi::FunctionReference host_buffer_class;
  Napi::FunctionReference cancel_token_class;
  Napi::FunctionReference model_class;

  // Handed over once by lib/ at load (style.md: error classes are defined in JS).
  Napi::FunctionReference make_acl_error;     // (code, api, message, recentMessage, deviceId) => AclError
  Napi::FunctionReference make_closed_error;  // (resource) => AclClosedError
  Napi::FunctionReference make_load_error;    // (message, attempts, advice) => AclLoadError
  Napi::FunctionReference invoke_host_func;   // (fn, nativeStream, id) => void

  // Runtimes of this env that are still open; the env cleanup hook closes them.
  std::set<RuntimeCore *> runtimes;
  std::thread::id js_thread = std::this_thread::get_id();
  bool tearing_down = false;
  // Returns the heap after the collector finalizes a burst of wrappers (heap_trim.h).
  HeapTrimmer *heap_trimmer = nullptr;
};

AddonData &Data(Napi::Env env);

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_ADDON_DATA_H_
