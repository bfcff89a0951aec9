// Host callbacks (aclrtSubscribeReport / aclrtLaunchCallback / aclrtProcessReport).
//
// A stream may have one subscribed thread; a thread may serve many streams. When a stream reaches
// a callback task, the callback is handed to the subscribed thread's queue and runs inside that
// thread's aclrtProcessReport call (never on a worker). ACL_CALLBACK_BLOCK parks the stream until
// the callback has returned; the stream does not hold a worker meanwhile.
//
// Lock: CallbackHub::mu_ guards subscriptions and queues. It is never held while a user callback
// runs or while a stream is woken.
#ifndef ASCENDCL_SIM_CALLBACKS_H_
#define ASCENDCL_SIM_CALLBACKS_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "acl/acl_abi.h"
#include "sim/scheduler.h"

namespace aclsim {

// A callback on its way from a stream to the subscribed thread.
struct PendingCallback {
  aclrtCallback fn = nullptr;
  void *user_data = nullptr;
  bool block = false;
  uint64_t stream_id = 0;
  uint64_t position = 0;  // the callback task's queue position (hazards.h CallbackScope)
  std::function<void()> wake_stream;  // re-runs the stream's head task
  std::atomic<bool> finished{false};  // ran, or was cancelled: a blocked stream may go on
};

class CallbackHub {
 public:
  explicit CallbackHub(Scheduler *scheduler) : scheduler_(scheduler) {}

  // 100033 when the stream already has a subscriber.
  aclError Subscribe(uint64_t thread_id, uint64_t stream_id);
  // 100034 when `thread_id` is not the stream's subscriber. Callbacks of the stream queued for the
  // thread and not yet run are dropped, and a stream blocked on one goes on.
  aclError Unsubscribe(uint64_t thread_id, uint64_t stream_id);
  // Silently forgets the subscription of a destroyed stream (same effect as Unsubscribe).
  void ForgetStream(uint64_t stream_id);
  bool HasSubscriber(uint64_t stream_id) const;

  // Hands `callback` to the stream's current subscriber; false when there is none any more (the
  // callback is then dropped, not run).
  bool Dispatch(const std::shared_ptr<PendingCallback> &callback);
  // Takes back a callback that has not started running (its stream was destroyed or reset).
  void Cancel(const std::shared_ptr<PendingCallback> &callback);

  // aclrtProcessReport for the calling thread.
  aclError Process(int32_t timeout_ms);

  // aclFinalize: drops every subscription and queued callback; waiting threads get 107012.
  void Clear();

  size_t subscription_count() const;

 private:
  struct ThreadQueue {
    std::deque<std::shared_ptr<PendingCallback>> queue;
    int subscriptions = 0;
    std::condition_variable cv;
  };
  // Marks cancelled callbacks finished and wakes their streams; no lock held.
  static void Release(std::deque<std::shared_ptr<PendingCallback>> &cancelled);
  // mu_ held. Removes the subscription of `stream_id` and its queued callbacks.
  void RemoveLocked(uint64_t stream_id, std::deque<std::shared_ptr<PendingCallback>> *cancelled);

  Scheduler *const scheduler_;
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, uint64_t> subscriber_of_stream_;
  std::unordered_map<uint64_t, std::shared_ptr<ThreadQueue>> threads_;
};

// aclrtLaunchCallback's task.
class CallbackTask : public Task {
 public:
  CallbackTask(CallbackHub *hub, aclrtCallback fn, void *user_data, bool block)
      : Task("aclrtLaunchCallback"), hub_(hub), fn_(fn), user_data_(user_data), block_(block) {}
  TaskResult Run(TaskContext &ctx) override;
  void Drop() override;

 private:
  CallbackHub *const hub_;
  aclrtCallback fn_;
  void *user_data_;
  bool block_;
  std::shared_ptr<PendingCallback> pending_;
};

}  // namespace aclsim

#endif  // ASCENDCL_SIM_CALLBACKS_H_
