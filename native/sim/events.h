// Events: a record captures a stream's queue position; the event completes when the stream
// reaches that point.
//
// Each aclrtRecordEvent creates a RecordPoint and makes it the event's latest. Waits
// (aclrtSynchronizeEvent, aclrtStreamWaitEvent) capture the latest point at the time of the call
// and wait for that point, so a later re-record never changes what an earlier wait waits for.
// Query is one mutex-protected pointer read plus one atomic load: cheap enough for polling loops.
#ifndef ASCENDCL_SIM_EVENTS_H_
#define ASCENDCL_SIM_EVENTS_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "sim/allocation.h"
#include "sim/scheduler.h"

namespace aclsim {

class RecordPoint {
 public:
  bool done() const { return done_.load(std::memory_order_acquire); }
  // Marks the point complete (with a steady-clock timestamp when `with_timestamp`), wakes
  // synchronous waiters and runs the registered wake-ups (outside the lock).
  void Complete(bool with_timestamp);
  // Registers `fn` to run when the point completes; false (and `fn` dropped) if it already has.
  bool OnComplete(std::function<void()> fn);
  // Blocks until complete or `deadline_ns` (steady clock, < 0 = forever); false on timeout.
  bool Wait(int64_t deadline_ns);
  // The completion timestamp; false if not complete or completed without one.
  bool timestamp(int64_t *ns) const;
  // What the record orders (its stream's work up to it, and what that work was ordered after);
  // set when the record is submitted, before the point is published.
  const ClockRef &clock() const { return clock_; }
  void set_clock(ClockRef clock) { clock_ = std::move(clock); }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> done_{false};
  bool has_timestamp_ = false;
  int64_t timestamp_ns_ = 0;
  std::vector<std::function<void()>> on_complete_;
  ClockRef clock_;
};

class Event {
 public:
  Event(uint64_t id, int device, uint64_t context_id, uint32_t flags, bool timing, Origin origin)
      : id_(id), device_(device), context_id_(context_id), flags_(flags), timing_(timing), origin_(origin) {}

  uint64_t id() const { return id_; }
  int device() const { return device_; }
  uint64_t context_id() const { return context_id_; }
  uint32_t flags() const { return flags_; }
  bool timing() const { return timing_; }
  const Origin &origin() const { return origin_; }

  // The latest record, or nullptr if the event was never recorded.
  std::shared_ptr<RecordPoint> latest() const;
  // Whether the latest record completed (true when never recorded): latest() without the copy,
  // for aclrtQueryEventStatus.
  bool LatestDone() const;
  void set_latest(std::shared_ptr<RecordPoint> point);

 private:
  const uint64_t id_;
  const int device_;
  const uint64_t context_id_;
  const uint32_t flags_;
  const bool timing_;
  const Origin origin_;
  mutable std::mutex mu_;
  std::shared_ptr<RecordPoint> latest_;
};

// aclrtRecordEvent: completes its point when the stream reaches it. Dropped, it still completes
// the point (without a timestamp) so that nobody waits forever.
class RecordEventTask : public Task {
 public:
  RecordEventTask(std::shared_ptr<RecordPoint> point, bool timing)
      : Task("aclrtRecordEvent"), point_(std::move(point)), timing_(timing) {}
  TaskResult Run(TaskContext &ctx) override;
  void Drop() override;
  void Submitted(const ClockRef &order, uint64_t stream_id, uint64_t position) override {
    point_->set_clock(VectorClock::With(order, stream_id, position));
  }

 private:
  std::shared_ptr<RecordPoint> point_;
  bool timing_;
};

// aclrtStreamWaitEvent(WithTimeout): holds later work on the stream until `point` completes.
// With a timeout (ms > 0) the stream records ACL_ERROR_RT_EVENT_SYNC_TIMEOUT and moves on when the
// point has not completed `timeout_ms` after the stream reached the wait.
class WaitEventTask : public Task {
 public:
  WaitEventTask(const char *api, std::shared_ptr<RecordPoint> point, uint64_t event_id, int32_t timeout_ms)
      : Task(api), point_(std::move(point)), event_id_(event_id), timeout_ms_(timeout_ms) {}
  TaskResult Run(TaskContext &ctx) override;
  ClockRef Awaited() const override { return point_->clock(); }

 private:
  std::shared_ptr<RecordPoint> point_;
  uint64_t event_id_;
  int32_t timeout_ms_;  // -1: no timeout
  bool armed_ = false;
  std::shared_ptr<std::atomic<bool>> expired_;
};

}  // namespace aclsim

#endif  // ASCENDCL_SIM_EVENTS_H_
