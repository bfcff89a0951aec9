// The baseline of the call-overhead row: a Node-API function that does nothing, so the bench can
// show what event.query() adds on top of the cheapest possible call into an addon. Plain C
// Node-API (no node-addon-api wrappers), as small as a native call gets.
#include <node_api.h>
#include <time.h>

static napi_value Empty(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  return NULL;
}

// CPU time of the whole process in nanoseconds (every thread: the JS thread and the runtime's
// workers). The bench times single-threaded rows with it, because on a shared machine wall time
// mostly measures how long the scheduler kept the process off a core.
static napi_value CpuNs(napi_env env, napi_callback_info info) {
  (void)info;
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  napi_value out;
  napi_create_double(env, (double)t.tv_sec * 1e9 + (double)t.tv_nsec, &out);
  return out;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "empty", NAPI_AUTO_LENGTH, Empty, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "empty", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "cpuNs", NAPI_AUTO_LENGTH, CpuNs, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "cpuNs", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
