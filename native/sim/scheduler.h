// Streams and the worker pool that runs them.
//
// A Stream is a FIFO of Tasks. Its tasks run in submission order, one at a time; different
// streams run concurrently on a shared pool of worker threads. The pool starts empty and adds a
// thread when a stream becomes runnable and no worker is idle, up to kMaxWorkers, so a thousand
// idle streams cost no threads at all.
//
// A task that must wait (an event wait, a blocking host callback) does not hold a worker: it
// registers a wake-up and returns kBlocked, the stream is parked, and the wake-up puts the stream
// back in the run queue, where the task is simply run again to re-check its condition.
//
// Locks (never held across a task's Run, a user callback, or a copy):
//   Stream::mu_      the stream's queue and state; taken by API threads (submit, wait, drop)
//                    and by the worker running it.
//   Scheduler::mu_   the run queue and the worker list. Never taken while holding Stream::mu_.
//   Scheduler::timer_mu_  the timer list of the timer thread (stream-wait timeouts).
#ifndef ASCENDCL_SIM_SCHEDULER_H_
#define ASCENDCL_SIM_SCHEDULER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "acl/acl_abi.h"
#include "sim/allocation.h"
#include "sim/hazards.h"

namespace aclsim {

class Scheduler;
class Stream;

enum class TaskResult { kDone, kBlocked };

// What a running task may do to its stream.
class TaskContext {
 public:
  TaskContext(std::shared_ptr<Stream> stream, Scheduler *scheduler)
      : stream_(std::move(stream)), scheduler_(scheduler) {}
  Stream &stream() const { return *stream_; }
  // A wake-up for this stream: callable from any thread, any number of times, even after the
  // stream is gone. Each call makes the stream run its head task again.
  std::function<void()> Waker() const;
  Scheduler &scheduler() const { return *scheduler_; }
  // Records an asynchronous failure; the next synchronize of the stream (or device) returns it.
  void SetError(aclError code, const std::string &message) const;

 private:
  std::shared_ptr<Stream> stream_;
  Scheduler *scheduler_;
};

// One operation queued on a stream (a copy, a memset, an event record or wait, a host callback;
// later a model execution).
class Task {
 public:
  explicit Task(const char *api);
  virtual ~Task();  // releases the allocations it used
  Task(const Task &) = delete;
  Task &operator=(const Task &) = delete;

  // Runs on a worker thread with no simulator lock held. kBlocked means the task registered a
  // wake-up (TaskContext::Waker) and must be run again when woken; every run after the first
  // must just re-check the condition (wake-ups may be spurious).
  virtual TaskResult Run(TaskContext &ctx) = 0;

  // The task will never run or finish running (forced destroy, device reset, finalize, lost
  // device): complete anything others wait on (an event record completes without a timestamp).
  virtual void Drop() {}

  // Hazard seams (hazards.h), called in Submit under the stream lock. `order` is the stream's
  // clock and `position` this task's: an event record captures both (everything up to and
  // including it). A wait returns the clock of the record it waits for, which orders the
  // stream's later work after it.
  virtual void Submitted(const ClockRef & /*order*/, uint64_t /*stream_id*/, uint64_t /*position*/) {}
  virtual ClockRef Awaited() const { return nullptr; }

  // Declares that the task reads or writes [offset, offset + size) of `allocation`. Keeps the
  // allocation's bytes alive until the task is gone, and lets a strict aclrtFree refuse to free
  // memory queued work still uses. The ranges are kept for API-level hazard detection.
  void Use(std::shared_ptr<Allocation> allocation, uint64_t offset, uint64_t size, bool write);

  const char *api() const { return api_; }
  uint64_t id() const { return id_; }
  uint64_t position() const { return position_; }
  // Trace seam: steady-clock times of submission, first run and completion (0 = not yet).
  int64_t enqueued_ns() const { return enqueued_ns_; }
  int64_t started_ns() const { return started_ns_; }
  int64_t finished_ns() const { return finished_ns_; }

 private:
  friend class Stream;
  friend class Scheduler;
  void RegisterUses(uint64_t stream_id, uint64_t position, const ClockRef &after);
  // Unregisters and lets go of the allocations. Called as soon as the task is finished, before
  // its completion becomes visible, so that a free right after a synchronize never sees it.
  void ReleaseUses();

  const char *const api_;
  const uint64_t id_;
  uint64_t position_ = 0;  // 1-based index in its stream's submission order
  bool uses_registered_ = false;
  std::vector<MemoryAccess> uses_;
  int64_t enqueued_ns_ = 0;
  int64_t started_ns_ = 0;
  int64_t finished_ns_ = 0;
};

class Stream : public std::enable_shared_from_this<Stream> {
 public:
  Stream(Scheduler *scheduler, uint64_t id, int device, uint64_t context_id, bool is_default, Origin origin);
  ~Stream();

  uint64_t id() const { return id_; }
  int device() const { return device_; }
  uint64_t context_id() const { return context_id_; }
  bool is_default() const { return is_default_; }
  const Origin &origin() const { return origin_; }

  // Appends `task`. Returns false (the task is discarded) once the stream is closed, or when the
  // task would race unordered work of another stream (strict mode): then *hazard is 107000 and
  // the message is queued (hazards.h). *hazard is 0 otherwise.
  bool Submit(std::unique_ptr<Task> task, aclError *hazard = nullptr);

  // How many tasks were ever submitted: the queue position a synchronize or record captures.
  uint64_t submitted() const;
  // Waits until every task up to `position` finished (or was dropped). deadline_ns < 0 waits
  // forever; false on timeout.
  bool WaitFor(uint64_t position, int64_t deadline_ns);
  // Tasks not yet finished (including a running or blocked one).
  size_t pending() const;
  // Queue position of the oldest unfinished task (the running or blocked one), 0 when idle.
  uint64_t head_position() const;

  // Drops every task that has not started (a blocked head counts as not started) and makes a
  // running task that later blocks drop as well. Does not wait for the running task.
  void DropPending();
  // No more submissions; later Submit calls fail.
  void Close();
  bool closed() const;

  // Asynchronous error of a task, reported by the next synchronize (first one wins).
  void SetError(aclError code, const std::string &message);
  bool TakeError(aclError *code, std::string *message);

 private:
  friend class Scheduler;
  enum class State { kIdle, kQueued, kRunning, kBlocked };
  uint64_t FinishedPosition() const;  // mu_ held

  Scheduler *const scheduler_;
  const uint64_t id_;
  const int device_;
  const uint64_t context_id_;
  const bool is_default_;
  const Origin origin_;

  mutable std::mutex mu_;
  std::condition_variable progress_cv_;  // a task finished or was dropped
  std::deque<std::unique_ptr<Task>> queue_;  // unfinished tasks; the head may be running
  State state_ = State::kIdle;
  bool head_running_ = false;  // a worker is inside the head task's Run (or Drop)
  bool wake_pending_ = false;  // a wake-up arrived while the head was running
  bool drop_blocked_ = false;  // DropPending was called: a head that blocks is dropped
  bool closed_ = false;
  int dropping_ = 0;  // DropPending calls still completing dropped tasks
  uint64_t submitted_ = 0;
  ClockRef order_;  // other streams' work ordered before what is submitted now (hazards.h)
  aclError error_code_ = 0;
  std::string error_message_;
};

class Scheduler {
 public:
  static constexpr int kMaxWorkers = 32;
  // Tasks a worker runs from one stream before letting other runnable streams go first.
  static constexpr int kTasksPerTurn = 64;

  // `device_lost(d)`: tasks of streams on device d are dropped instead of run.
  explicit Scheduler(bool (*device_lost)(int device));
  ~Scheduler();

  // A stream with work and no worker: queue it, starting a worker if none is idle.
  void Enqueue(std::shared_ptr<Stream> stream);
  // Makes a parked stream runnable again (see TaskContext::Waker).
  void Wake(const std::weak_ptr<Stream> &stream);
  // Runs `fn` on the timer thread at `deadline_ns` (steady clock). `fn` must be quick.
  void AddTimer(int64_t deadline_ns, std::function<void()> fn);

  // Stops and joins the workers and the timer thread (aclFinalize, once no stream has work).
  // Pending timers are discarded. The pool restarts on the next Enqueue.
  void Shutdown();

  int worker_count() const { return worker_count_.load(std::memory_order_relaxed); }

 private:
  void WorkerLoop();
  void RunStream(const std::shared_ptr<Stream> &stream);
  void TimerLoop();

  bool (*const device_lost_)(int device);

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Stream>> runnable_;
  std::vector<std::thread> workers_;
  int idle_ = 0;
  bool stopping_ = false;
  std::atomic<int> worker_count_{0};

  std::mutex timer_mu_;
  std::condition_variable timer_cv_;
  std::multimap<int64_t, std::function<void()>> timers_;
  std::thread timer_thread_;
  bool timer_stopping_ = false;
};

}  // namespace aclsim

#endif  // ASCENDCL_SIM_SCHEDULER_H_
