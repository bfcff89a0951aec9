#include "sim/callbacks.h"

#include "sim/hazards.h"

#include <pthread.h>

#include <chrono>

#include "acl/acl_errors.h"
#include "sim/recent_errors.h"
#include "sim/util.h"

namespace aclsim {

aclError CallbackHub::Subscribe(uint64_t thread_id, uint64_t stream_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = subscriber_of_stream_.find(stream_id);
  if (it != subscriber_of_stream_.end()) {
    return Fail(acl::ACL_ERROR_REPEAT_SUBSCRIBE, "stream %s is already subscribed by thread %s (one thread per stream)",
                Hex(stream_id).c_str(), Hex(it->second).c_str());
  }
  std::shared_ptr<ThreadQueue> &queue = threads_[thread_id];
  if (queue == nullptr) queue = std::make_shared<ThreadQueue>();
  subscriber_of_stream_.emplace(stream_id, thread_id);
  ++queue->subscriptions;
  return ACL_SUCCESS;
}

void CallbackHub::RemoveLocked(uint64_t stream_id, std::deque<std::shared_ptr<PendingCallback>> *cancelled) {
  auto it = subscriber_of_stream_.find(stream_id);
  if (it == subscriber_of_stream_.end()) return;
  uint64_t thread_id = it->second;
  subscriber_of_stream_.erase(it);
  auto t = threads_.find(thread_id);
  if (t == threads_.end()) return;
  ThreadQueue &queue = *t->second;
  for (auto q = queue.queue.begin(); q != queue.queue.end();) {
    if ((*q)->stream_id == stream_id) {
      cancelled->push_back(std::move(*q));
      q = queue.queue.erase(q);
    } else {
      ++q;
    }
  }
  if (--queue.subscriptions == 0) {
    // A thread waiting in aclrtProcessReport sees no subscription left and returns 107012.
    queue.cv.notify_all();
    threads_.erase(t);
  }
}

void CallbackHub::Release(std::deque<std::shared_ptr<PendingCallback>> &cancelled) {
  for (auto &callback : cancelled) {
    callback->finished.store(true, std::memory_order_release);
    if (callback->block) callback->wake_stream();
  }
  cancelled.clear();
}

aclError CallbackHub::Unsubscribe(uint64_t thread_id, uint64_t stream_id) {
  std::deque<std::shared_ptr<PendingCallback>> cancelled;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = subscriber_of_stream_.find(stream_id);
    if (it == subscriber_of_stream_.end()) {
      return Fail(acl::ACL_ERROR_STREAM_NOT_SUBSCRIBE, "stream %s has no subscribed thread", Hex(stream_id).c_str());
    }
    if (it->second != thread_id) {
      return Fail(acl::ACL_ERROR_STREAM_NOT_SUBSCRIBE, "stream %s is subscribed by thread %s, not by thread %s",
                  Hex(stream_id).c_str(), Hex(it->second).c_str(), Hex(thread_id).c_str());
    }
    RemoveLocked(stream_id, &cancelled);
  }
  Release(cancelled);
  return ACL_SUCCESS;
}

void CallbackHub::ForgetStream(uint64_t stream_id) {
  std::deque<std::shared_ptr<PendingCallback>> cancelled;
  {
    std::lock_guard<std::mutex> lock(mu_);
    RemoveLocked(stream_id, &cancelled);
  }
  Release(cancelled);
}

bool CallbackHub::HasSubscriber(uint64_t stream_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return subscriber_of_stream_.count(stream_id) != 0;
}

bool CallbackHub::Dispatch(const std::shared_ptr<PendingCallback> &callback) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = subscriber_of_stream_.find(callback->stream_id);
  if (it == subscriber_of_stream_.end()) return false;
  auto t = threads_.find(it->second);
  if (t == threads_.end()) return false;
  t->second->queue.push_back(callback);
  t->second->cv.notify_one();
  return true;
}

void CallbackHub::Cancel(const std::shared_ptr<PendingCallback> &callback) {
  std::deque<std::shared_ptr<PendingCallback>> cancelled;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto &[thread_id, queue] : threads_) {
      auto &q = queue->queue;
      for (auto it = q.begin(); it != q.end(); ++it) {
        if (*it == callback) {
          cancelled.push_back(std::move(*it));
          q.erase(it);
          break;
        }
      }
    }
  }
  // A cancelled callback never runs; its stream is being torn down, so no wake-up is needed, but
  // marking it finished keeps the state consistent for anyone still looking.
  for (auto &c : cancelled) c->finished.store(true, std::memory_order_release);
}

aclError CallbackHub::Process(int32_t timeout_ms) {
  const uint64_t self = static_cast<uint64_t>(pthread_self());
  std::shared_ptr<PendingCallback> callback;
  {
    std::unique_lock<std::mutex> lock(mu_);
    auto t = threads_.find(self);
    if (t == threads_.end()) {
      return Fail(acl::ACL_ERROR_RT_THREAD_SUBSCRIBE,
                  "no stream is subscribed to the calling thread %s; call aclrtSubscribeReport(threadId, stream) with "
                  "this thread's pthread_t first",
                  Hex(self).c_str());
    }
    std::shared_ptr<ThreadQueue> queue = t->second;  // stays valid if the entry is erased meanwhile
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
    for (;;) {
      if (!queue->queue.empty()) {
        callback = std::move(queue->queue.front());
        queue->queue.pop_front();
        break;
      }
      if (queue->subscriptions == 0) {
        return Fail(acl::ACL_ERROR_RT_THREAD_SUBSCRIBE,
                    "the last stream subscribed to the calling thread %s was unsubscribed while it waited",
                    Hex(self).c_str());
      }
      if (timeout_ms < 0) {
        queue->cv.wait(lock);
      } else if (queue->cv.wait_until(lock, deadline) == std::cv_status::timeout && queue->queue.empty() &&
                 queue->subscriptions != 0) {
        return Fail(acl::ACL_ERROR_RT_REPORT_TIMEOUT, "no callback arrived within %d ms", timeout_ms);
      }
    }
  }
  // The user's function runs with no simulator lock held: it may call back into the API.
  struct MarkFinished {
    PendingCallback *callback;
    ~MarkFinished() {
      callback->finished.store(true, std::memory_order_release);
      if (callback->block) callback->wake_stream();
    }
  } mark{callback.get()};
  // A blocking callback holds its stream: what is queued behind it may be touched meanwhile.
  CallbackScope scope(callback->block ? callback->stream_id : 0, callback->position);
  callback->fn(callback->user_data);
  return ACL_SUCCESS;
}

void CallbackHub::Clear() {
  std::deque<std::shared_ptr<PendingCallback>> cancelled;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto &[thread_id, queue] : threads_) {
      for (auto &c : queue->queue) cancelled.push_back(std::move(c));
      queue->queue.clear();
      queue->subscriptions = 0;
      queue->cv.notify_all();
    }
    threads_.clear();
    subscriber_of_stream_.clear();
  }
  Release(cancelled);
}

size_t CallbackHub::subscription_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return subscriber_of_stream_.size();
}

TaskResult CallbackTask::Run(TaskContext &ctx) {
  if (pending_ == nullptr) {
    pending_ = std::make_shared<PendingCallback>();
    pending_->fn = fn_;
    pending_->user_data = user_data_;
    pending_->block = block_;
    pending_->stream_id = ctx.stream().id();
    pending_->position = position();
    pending_->wake_stream = ctx.Waker();
    // Nobody subscribed any more (unsubscribed after the launch): dropped, like on hardware.
    if (!hub_->Dispatch(pending_)) return TaskResult::kDone;
    if (!block_) return TaskResult::kDone;
  }
  return pending_->finished.load(std::memory_order_acquire) ? TaskResult::kDone : TaskResult::kBlocked;
}

void CallbackTask::Drop() {
  if (pending_ != nullptr) hub_->Cancel(pending_);
}

}  // namespace aclsim
