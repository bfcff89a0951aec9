#include "sim/scheduler.h"

#include <algorithm>
#include <chrono>

#include "sim/trace_recorder.h"
#include "sim/util.h"

namespace aclsim {
namespace {

std::atomic<uint64_t> g_task_ids{0};

std::chrono::steady_clock::time_point ToTimePoint(int64_t ns) {
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns));
}

}  // namespace

// --- TaskContext ---------------------------------------------------------------------------

std::function<void()> TaskContext::Waker() const {
  std::weak_ptr<Stream> weak = stream_;
  Scheduler *scheduler = scheduler_;
  return [weak, scheduler] { scheduler->Wake(weak); };
}

void TaskContext::SetError(aclError code, const std::string &message) const { stream_->SetError(code, message); }

// --- Task ----------------------------------------------------------------------------------

Task::Task(const char *api) : api_(api), id_(g_task_ids.fetch_add(1, std::memory_order_relaxed) + 1) {}

Task::~Task() { ReleaseUses(); }

void Task::ReleaseUses() {
  if (uses_registered_) {
    for (const MemoryAccess &use : uses_) use.allocation->RemoveUse(id_);
  }
  uses_registered_ = false;
  uses_.clear();
}

void Task::Use(std::shared_ptr<Allocation> allocation, uint64_t offset, uint64_t size, bool write) {
  uses_.push_back(MemoryAccess{std::move(allocation), offset, size, write});
}

void Task::RegisterUses(uint64_t stream_id, uint64_t position, const ClockRef &after) {
  for (const MemoryAccess &use : uses_) {
    use.allocation->AddUse(QueuedUse{id_, api_, stream_id, position, use.offset, use.size, use.write, after});
  }
  uses_registered_ = true;
}

// --- Stream --------------------------------------------------------------------------------

Stream::Stream(Scheduler *scheduler, uint64_t id, int device, uint64_t context_id, bool is_default, Origin origin)
    : scheduler_(scheduler), id_(id), device_(device), context_id_(context_id), is_default_(is_default), origin_(origin) {}

Stream::~Stream() = default;

bool Stream::Submit(std::unique_ptr<Task> task, aclError *hazard) {
  if (hazard != nullptr) *hazard = ACL_SUCCESS;
  bool schedule = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return false;  // `task` is destroyed after the unlock
    const uint64_t position = submitted_ + 1;
    // Checked and registered under the stream lock, so positions and the clock are those the
    // task really gets, and before the task is visible to a worker, so a strict free never misses it.
    if (!task->uses_.empty()) {
      if (aclError code = CheckStreamAccesses(task->api_, id_, position, order_, task->uses_); code != 0) {
        if (hazard != nullptr) *hazard = code;
        return false;
      }
      task->RegisterUses(id_, position, order_);
    }
    if (ClockRef awaited = task->Awaited()) order_ = VectorClock::Join(order_, awaited);
    task->Submitted(order_, id_, position);
    task->position_ = ++submitted_;
    task->enqueued_ns_ = NowNs();
    queue_.push_back(std::move(task));
    if (state_ == State::kIdle) {
      state_ = State::kQueued;
      schedule = true;
    }
  }
  if (schedule) scheduler_->Enqueue(shared_from_this());
  return true;
}

uint64_t Stream::submitted() const {
  std::lock_guard<std::mutex> lock(mu_);
  return submitted_;
}

uint64_t Stream::FinishedPosition() const {
  // The queue holds exactly the unfinished tasks, in order.
  return queue_.empty() ? submitted_ : queue_.front()->position_ - 1;
}

bool Stream::WaitFor(uint64_t position, int64_t deadline_ns) {
  std::unique_lock<std::mutex> lock(mu_);
  auto reached = [&] { return FinishedPosition() >= position && dropping_ == 0; };
  if (deadline_ns < 0) {
    progress_cv_.wait(lock, reached);
    return true;
  }
  return progress_cv_.wait_until(lock, ToTimePoint(deadline_ns), reached);
}

size_t Stream::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

uint64_t Stream::head_position() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.empty() ? 0 : queue_.front()->position_;
}

void Stream::DropPending() {
  std::vector<std::unique_ptr<Task>> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    drop_blocked_ = true;
    size_t keep = head_running_ ? 1 : 0;  // the running task finishes; the forced destroy waits for it
    while (queue_.size() > keep) {
      dropped.push_back(std::move(queue_.back()));
      queue_.pop_back();
    }
    std::reverse(dropped.begin(), dropped.end());
    if (keep == 0 && state_ == State::kBlocked) state_ = State::kIdle;
    if (dropped.empty()) return;
    ++dropping_;
  }
  // Drop() may complete events and wake other streams: never under this stream's lock.
  for (auto &task : dropped) task->Drop();
  dropped.clear();
  std::lock_guard<std::mutex> lock(mu_);
  --dropping_;
  progress_cv_.notify_all();
}

void Stream::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
}

bool Stream::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

void Stream::SetError(aclError code, const std::string &message) {
  std::lock_guard<std::mutex> lock(mu_);
  if (error_code_ != 0) return;
  error_code_ = code;
  error_message_ = message;
}

bool Stream::TakeError(aclError *code, std::string *message) {
  std::lock_guard<std::mutex> lock(mu_);
  if (error_code_ == 0) return false;
  *code = error_code_;
  *message = std::move(error_message_);
  error_code_ = 0;
  error_message_.clear();
  return true;
}

// --- Scheduler -----------------------------------------------------------------------------

Scheduler::Scheduler(bool (*device_lost)(int device)) : device_lost_(device_lost) {}

Scheduler::~Scheduler() { Shutdown(); }

void Scheduler::Enqueue(std::shared_ptr<Stream> stream) {
  std::lock_guard<std::mutex> lock(mu_);
  runnable_.push_back(std::move(stream));
  if (runnable_.size() > static_cast<size_t>(idle_) && workers_.size() < static_cast<size_t>(kMaxWorkers)) {
    try {
      workers_.emplace_back([this] { WorkerLoop(); });
      worker_count_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    } catch (const std::system_error &) {
      // No new thread: the existing workers get to the stream in turn. With none at all the work
      // waits for the next successful start, which is the best the process can do.
    }
  }
  cv_.notify_one();
}

void Scheduler::Wake(const std::weak_ptr<Stream> &weak) {
  std::shared_ptr<Stream> stream = weak.lock();
  if (stream == nullptr) return;
  bool schedule = false;
  {
    std::lock_guard<std::mutex> lock(stream->mu_);
    if (stream->state_ == Stream::State::kBlocked) {
      stream->state_ = Stream::State::kQueued;
      schedule = true;
    } else if (stream->state_ == Stream::State::kRunning) {
      stream->wake_pending_ = true;
    }
  }
  if (schedule) Enqueue(std::move(stream));
}

void Scheduler::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    while (runnable_.empty() && !stopping_) {
      ++idle_;
      cv_.wait(lock);
      --idle_;
    }
    if (runnable_.empty()) return;  // stopping
    std::shared_ptr<Stream> stream = std::move(runnable_.front());
    runnable_.pop_front();
    lock.unlock();
    RunStream(stream);
    stream.reset();
    lock.lock();
  }
}

void Scheduler::RunStream(const std::shared_ptr<Stream> &stream) {
  TaskContext ctx(stream, this);
  std::unique_lock<std::mutex> lock(stream->mu_);
  if (stream->state_ != Stream::State::kQueued) return;
  stream->state_ = Stream::State::kRunning;
  for (int budget = kTasksPerTurn;; --budget) {
    if (stream->queue_.empty()) {
      stream->state_ = Stream::State::kIdle;
      return;
    }
    if (budget == 0) {
      // Fairness: let the other runnable streams have a worker before continuing this one.
      stream->state_ = Stream::State::kQueued;
      lock.unlock();
      Enqueue(stream);
      return;
    }
    Task *task = stream->queue_.front().get();
    stream->wake_pending_ = false;  // any earlier wake-up is answered by this run
    stream->head_running_ = true;
    lock.unlock();

    bool dropped = device_lost_(stream->device());
    TaskResult result = TaskResult::kDone;
    if (dropped) {
      task->Drop();
    } else {
      if (task->started_ns_ == 0) task->started_ns_ = NowNs();
      result = task->Run(ctx);
    }

    if (result == TaskResult::kDone) task->ReleaseUses();
    lock.lock();
    if (result == TaskResult::kBlocked) {
      if (stream->wake_pending_) continue;  // woken while running: check again at once
      if (!stream->drop_blocked_) {
        stream->head_running_ = false;
        stream->state_ = Stream::State::kBlocked;  // parked: the wake-up re-queues it
        return;
      }
      lock.unlock();  // a forced destroy is waiting for this task: it will not wait longer
      task->Drop();
      task->ReleaseUses();
      lock.lock();
    }
    stream->head_running_ = false;
    task->finished_ns_ = NowNs();
    TraceRecorder::Get().OnTaskFinished(*task, *stream);
    std::unique_ptr<Task> finished = std::move(stream->queue_.front());
    stream->queue_.pop_front();
    stream->progress_cv_.notify_all();
    lock.unlock();
    finished.reset();  // releases the task's allocations outside the stream lock
    lock.lock();
  }
}

void Scheduler::AddTimer(int64_t deadline_ns, std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(timer_mu_);
  if (!timer_thread_.joinable()) {
    timer_stopping_ = false;
    timer_thread_ = std::thread([this] { TimerLoop(); });
  }
  timers_.emplace(deadline_ns, std::move(fn));
  timer_cv_.notify_one();
}

void Scheduler::TimerLoop() {
  std::unique_lock<std::mutex> lock(timer_mu_);
  while (!timer_stopping_) {
    if (timers_.empty()) {
      timer_cv_.wait(lock);
      continue;
    }
    auto first = timers_.begin();
    if (first->first > NowNs()) {
      timer_cv_.wait_until(lock, ToTimePoint(first->first));
      continue;
    }
    std::function<void()> fn = std::move(first->second);
    timers_.erase(first);
    lock.unlock();
    fn();
    lock.lock();
  }
}

void Scheduler::Shutdown() {
  // The timer first: a timer firing after the workers were joined would start a worker again.
  std::thread timer;
  std::multimap<int64_t, std::function<void()>> discarded;
  {
    std::lock_guard<std::mutex> lock(timer_mu_);
    timer_stopping_ = true;
    timer.swap(timer_thread_);
    discarded.swap(timers_);
    timer_cv_.notify_all();
  }
  if (timer.joinable()) timer.join();
  discarded.clear();  // outside the lock: the callbacks hold stream references

  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    workers.swap(workers_);
    cv_.notify_all();
  }
  for (std::thread &t : workers) t.join();
  std::deque<std::shared_ptr<Stream>> leftover;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
    leftover.swap(runnable_);
    worker_count_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
  }
}

}  // namespace aclsim
