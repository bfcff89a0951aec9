# Sources of libascendcl_sim.so for node-gyp (CMakeLists.txt globs the same directory; keep this
# list complete: tests/ is not part of the library). Paths are relative to native/sim/.
{
  "sources": [
    "../acl/acl_errors.cc",
    "allocation.cc",
    "allocation_table.cc",
    "api_callback.cc",
    "api_common.cc",
    "api_context.cc",
    "api_device.cc",
    "api_event.cc",
    "api_init.cc",
    "api_memory.cc",
    "api_sim.cc",
    "api_stream.cc",
    "callbacks.cc",
    "config.cc",
    "device_memory.cc",
    "events.cc",
    "faults.cc",
    "hazards.cc",
    "host_memory.cc",
    "memory_access.cc",
    "recent_errors.cc",
    "report.cc",
    "scheduler.cc",
    "state.cc",
    "trace_recorder.cc",
    "util.cc"
  ],
  # Export exactly the acl* functions (exports.map says why).
  "ldflags": ["-Wl,--version-script=<(module_root_dir)/native/sim/exports.map"]
}
