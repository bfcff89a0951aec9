/* A test-only Node addon: fork(2) the Node process that opened AscendCL and, in the child, call
 * the runtime it inherited from native code (user-problems.md: "fork() after init").
 *
 * Why native code in the child: Node marks its heap MADV_DONTFORK, so a forked child cannot run
 * JavaScript at all; what a forked child of a Node service can do is run native code (an addon,
 * a library) that calls AscendCL. Not part of the package: built into build/Release/test. */
#include <dlfcn.h>
#include <node_api.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef int (*MallocFn)(void **, size_t, int);
typedef const char *(*MessageFn)(void);

/* forkAndMalloc(libraryPath) -> { status, output }: the child calls aclrtMalloc of the already
 * loaded library and reports "<code> <recent message>" through a pipe. */
static napi_value ForkAndMalloc(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result, value;
  char path[4096] = {0}, output[4096] = {0};
  size_t length = 0;
  int fds[2], status = 0;
  ssize_t n, total = 0;
  pid_t pid;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_value_string_utf8(env, argv[0], path, sizeof path, &length);
  if (pipe(fds) != 0) return NULL;
  pid = fork();
  if (pid == 0) {
    void *lib = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    MallocFn malloc_fn = lib ? (MallocFn)dlsym(lib, "aclrtMalloc") : NULL;
    MessageFn message_fn = lib ? (MessageFn)dlsym(lib, "aclGetRecentErrMsg") : NULL;
    char text[4096];
    void *p = NULL;
    if (malloc_fn == NULL || message_fn == NULL) {
      snprintf(text, sizeof text, "the library is not loaded in this process");
    } else {
      int rc = malloc_fn(&p, 16, 0);
      const char *message = message_fn();
      snprintf(text, sizeof text, "%d %s", rc, message ? message : "");
    }
    close(fds[0]);
    if (write(fds[1], text, strlen(text)) < 0) _exit(2);
    _exit(0);
  }
  close(fds[1]);
  while (pid > 0 && (n = read(fds[0], output + total, sizeof output - 1 - (size_t)total)) > 0) total += n;
  close(fds[0]);
  if (pid > 0 && waitpid(pid, &status, 0) < 0) status = -1;
  napi_create_object(env, &result);
  napi_create_int32(env, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), &value);
  napi_set_named_property(env, result, "status", value);
  napi_create_string_utf8(env, output, (size_t)total, &value);
  napi_set_named_property(env, result, "output", value);
  return result;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"forkAndMalloc", NULL, ForkAndMalloc, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 1, props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
