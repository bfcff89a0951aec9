#include "sim/events.h"

#include <chrono>

#include "acl/acl_errors.h"
#include "sim/util.h"

namespace aclsim {

void RecordPoint::Complete(bool with_timestamp) {
  std::vector<std::function<void()>> wakeups;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (done_.load(std::memory_order_relaxed)) return;
    has_timestamp_ = with_timestamp;
    timestamp_ns_ = with_timestamp ? NowNs() : 0;
    done_.store(true, std::memory_order_release);
    wakeups.swap(on_complete_);
    cv_.notify_all();
  }
  for (auto &wake : wakeups) wake();
}

bool RecordPoint::OnComplete(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (done_.load(std::memory_order_relaxed)) return false;
  on_complete_.push_back(std::move(fn));
  return true;
}

bool RecordPoint::Wait(int64_t deadline_ns) {
  std::unique_lock<std::mutex> lock(mu_);
  auto complete = [&] { return done_.load(std::memory_order_relaxed); };
  if (deadline_ns < 0) {
    cv_.wait(lock, complete);
    return true;
  }
  return cv_.wait_until(lock, std::chrono::steady_clock::time_point(std::chrono::nanoseconds(deadline_ns)), complete);
}

bool RecordPoint::timestamp(int64_t *ns) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!done_.load(std::memory_order_relaxed) || !has_timestamp_) return false;
  *ns = timestamp_ns_;
  return true;
}

std::shared_ptr<RecordPoint> Event::latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_;
}

bool Event::LatestDone() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_ == nullptr || latest_->done();
}

void Event::set_latest(std::shared_ptr<RecordPoint> point) {
  std::lock_guard<std::mutex> lock(mu_);
  latest_ = std::move(point);
}

TaskResult RecordEventTask::Run(TaskContext &) {
  point_->Complete(timing_);
  return TaskResult::kDone;
}

void RecordEventTask::Drop() { point_->Complete(false); }

TaskResult WaitEventTask::Run(TaskContext &ctx) {
  if (point_->done()) return TaskResult::kDone;
  if (expired_ != nullptr && expired_->load(std::memory_order_acquire)) {
    ctx.SetError(acl::ACL_ERROR_RT_EVENT_SYNC_TIMEOUT,
                 Sprintf("%s: the wait for event %s timed out after %d ms; the stream went on without it", api(),
                         Hex(event_id_).c_str(), timeout_ms_));
    return TaskResult::kDone;
  }
  if (!armed_) {
    armed_ = true;
    if (!point_->OnComplete(ctx.Waker())) return TaskResult::kDone;  // completed meanwhile
    if (timeout_ms_ > 0) {
      expired_ = std::make_shared<std::atomic<bool>>(false);
      std::function<void()> wake = ctx.Waker();
      std::shared_ptr<std::atomic<bool>> expired = expired_;
      ctx.scheduler().AddTimer(NowNs() + int64_t{timeout_ms_} * 1000000, [expired, wake] {
        expired->store(true, std::memory_order_release);
        wake();
      });
    }
  }
  return TaskResult::kBlocked;
}

}  // namespace aclsim
