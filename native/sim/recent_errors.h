// The per-thread queue of error messages behind aclGetRecentErrMsg, and the name of the API the
// calling thread is inside (every message is prefixed with it).
//
// Thread-local on purpose: the real runtime's default err_msg_mode is per thread, and consumers
// read the message on the thread that failed, right after the failing call.
#ifndef ASCENDCL_SIM_RECENT_ERRORS_H_
#define ASCENDCL_SIM_RECENT_ERRORS_H_

#include <string>

#include "acl/acl_abi.h"

namespace aclsim {

// Marks the calling thread as inside exported function `api` for the lifetime of the scope.
class ApiScope {
 public:
  explicit ApiScope(const char *api);
  ~ApiScope();
  ApiScope(const ApiScope &) = delete;
  ApiScope &operator=(const ApiScope &) = delete;

 private:
  const char *previous_;
};

// The exported function the calling thread is inside ("aclsim" outside any).
const char *CurrentApi();

// Queues "<current api>: <message>" for the calling thread.
void QueueMessage(const std::string &message);

// Queues a message that already carries its own prefix (an asynchronous failure reported later).
void QueueRawMessage(const std::string &message);

// Queues "<current api>: <formatted>" and returns `code`: `return Fail(107000, "...", ...)`.
aclError Fail(aclError code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// All queued messages joined by '\n', then cleared; nullptr when none. The pointer stays valid
// until the calling thread's next call.
const char *TakeMessages();

}  // namespace aclsim

#endif  // ASCENDCL_SIM_RECENT_ERRORS_H_
