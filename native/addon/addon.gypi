# Sources of the addon for node-gyp (CMakeLists.txt globs the same directory).
{
  "sources": [
    "acl_call.cc",
    "async_wait.cc",
    "cancel_token_wrap.cc",
    "context_binding.cc",
    "device_buffer_wrap.cc",
    "device_core.cc",
    "device_wrap.cc",
    "errors.cc",
    "event_core.cc",
    "event_wrap.cc",
    "host_buffer_wrap.cc",
    "host_funcs.cc",
    "memory.cc",
    "module.cc",
    "process_runtime.cc",
    "promise_wait.cc",
    "runtime_core.cc",
    "runtime_wrap.cc",
    "stream_core.cc",
    "stream_wrap.cc",
    "../acl/acl_errors.cc",
    "../acl/acl_table.cc"
  ]
}
