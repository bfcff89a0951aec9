// Host functions on a stream (stream.hostFunc): JS functions that run in stream order.
//
// Built on aclrtSubscribeReport/aclrtLaunchCallback/aclrtProcessReport, which every CANN has:
// each stream that uses host functions gets one report thread (started on first use) that
// serves only that stream, so a host function waiting on JS can never hold up another stream's
// callbacks. The callback is launched with ACL_CALLBACK_BLOCK and waits on the report thread
// until the JS function returns or its Promise settles; the JS side runs on the JS thread via
// the device's thread-safe function.
#ifndef ASCENDCL_ADDON_HOST_FUNCS_H_
#define ASCENDCL_ADDON_HOST_FUNCS_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "acl/acl_abi.h"
#include "acl_call.h"

namespace ascendcl {

class HostFuncChannel {
 public:
  // `post` hands call `id` to the JS thread (called on the report thread).
  HostFuncChannel(aclrtContext context, aclrtStream stream, std::function<void(uint64_t id)> post);
  ~HostFuncChannel();

  // Subscribe the report thread to the stream (first use). Returns 0 or fills *failure.
  int Start(int device_id, AclFailure *failure);
  // Enqueue call `id` on the stream. Returns 0 or fills *failure.
  int Launch(uint64_t id, int device_id, AclFailure *failure);
  // The JS function of call `id` settled: let the stream go on.
  void Done(uint64_t id);
  // Release every waiting call, unsubscribe and join the report thread. Calls that have not run
  // yet are dropped: their callbacks return at once. Idempotent.
  void Stop();

 private:
  struct Call {
    HostFuncChannel *channel;
    uint64_t id;
    bool done = false;
  };
  static void Trampoline(void *user_data);
  void Serve();
  void Run(Call *call);

  aclrtContext context_;
  aclrtStream stream_;
  std::function<void(uint64_t)> post_;
  std::thread thread_;
  std::atomic<uint64_t> thread_id_{0};
  std::atomic<bool> stopping_{false};
  bool started_ = false;     // JS thread only
  bool subscribed_ = false;  // guarded by mutex_
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<uint64_t, std::unique_ptr<Call>> calls_;
};

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_HOST_FUNCS_H_
