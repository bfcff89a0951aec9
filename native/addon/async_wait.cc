#include "async_wait.h"

#include <algorithm>
#include <chrono>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "context_binding.h"

namespace ascendcl {
namespace {

using Clock = std::chrono::steady_clock;

// Short enough that close() and AbortSignal feel immediate, long enough to cost nothing.
constexpr int32_t kSliceMs = 20;
constexpr size_t kMaxThreadsPerDevice = 64;

bool Requested(const WaitSpec &spec, WaitOutcome *outcome) {
  if (spec.stopping != nullptr && spec.stopping->load(std::memory_order_acquire)) {
    *outcome = WaitOutcome::kStopped;
    return true;
  }
  if (spec.cancel != nullptr && *spec.cancel && (*spec.cancel)->load(std::memory_order_acquire)) {
    *outcome = WaitOutcome::kCancelled;
    return true;
  }
  return false;
}

WaitResult TimedOut(const WaitSpec &spec) {
  WaitResult result;
  result.outcome = WaitOutcome::kFailed;
  result.failure = BindingFailure(spec.timeout_code, spec.api, spec.device_id,
                                  std::string("the ") + spec.what + " did not finish within " +
                                      std::to_string(spec.timeout_ms) + " ms; it is still usable");
  return result;
}

}  // namespace

WaitResult SlicedWait(const WaitSpec &spec, const std::function<int(int32_t)> &slice) {
  const bool sliced = spec.stopping != nullptr || spec.cancel != nullptr;
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(spec.timeout_ms < 0 ? 0 : spec.timeout_ms);
  for (;;) {
    WaitResult result;
    if (Requested(spec, &result.outcome)) return result;
    int32_t wait_ms;
    if (spec.timeout_ms < 0) {
      wait_ms = sliced ? kSliceMs : -1;
    } else {
      int64_t left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return TimedOut(spec);
      wait_ms = static_cast<int32_t>(sliced ? std::min<int64_t>(left, kSliceMs) : std::min<int64_t>(left, INT32_MAX));
    }
    int rc = slice(wait_ms);
    if (rc == spec.timeout_code) {
      DiscardRecentMessages();  // an expired slice is not the caller's error
      continue;
    }
    if (rc != 0) {
      result.outcome = WaitOutcome::kFailed;
      result.failure = CaptureFailure(rc, spec.api, spec.device_id);
    }
    return result;
  }
}

WaitResult PolledWait(const WaitSpec &spec, const std::function<int()> &query, const std::function<int()> &finish) {
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(spec.timeout_ms < 0 ? 0 : spec.timeout_ms);
  auto pause = std::chrono::microseconds(50);
  for (;;) {
    WaitResult result;
    if (Requested(spec, &result.outcome)) return result;
    int status = query();
    if (status == 0) break;
    if (status != 1) {
      result.outcome = WaitOutcome::kFailed;
      result.failure = CaptureFailure(status, spec.api, spec.device_id);
      return result;
    }
    if (spec.timeout_ms >= 0 && Clock::now() >= deadline) return TimedOut(spec);
    std::this_thread::sleep_for(pause);  // polling backoff for runtimes without timed waits
    pause = std::min(pause * 2, std::chrono::microseconds(5000));
  }
  WaitResult result;
  int rc = finish();
  if (rc != 0) {
    result.outcome = WaitOutcome::kFailed;
    result.failure = CaptureFailure(rc, spec.api, spec.device_id);
  }
  return result;
}

void DeviceWorkers::Post(WaitJob *job) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stop_) {
    stop_ = false;
    stopping_.store(false);
  }
  queue_.push_back(job);
  if (busy_ + queue_.size() > threads_.size() && threads_.size() < kMaxThreadsPerDevice) {
    threads_.emplace_back([this] { Loop(); });
  }
  wake_.notify_one();
}

void DeviceWorkers::Loop() {
  // These threads mostly sleep in runtime waits; on the simulator they also run models on the
  // CPU (with the simulator's executor workers). Either way the JS thread must win a core when
  // both want one (the event loop's delay is what users see), so they run at nice +10. The
  // simulator's own workers keep the default priority: a parallel loop waits for its slowest
  // chunk, and a starved worker would stall runSync on the JS thread too.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
  for (;;) {
    WaitJob *job = nullptr;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      job = queue_.front();
      queue_.pop_front();
      ++busy_;
    }
    BindContext(context_.load());
    job->Run(stopping_);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --busy_;
    }
    deliver_(job);
  }
}

void DeviceWorkers::Stop() {
  std::deque<WaitJob *> abandoned;
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    stopping_.store(true, std::memory_order_release);
    abandoned.swap(queue_);
    threads.swap(threads_);
    wake_.notify_all();
  }
  for (std::thread &thread : threads) thread.join();
  for (WaitJob *job : abandoned) {
    job->Abandon();
    deliver_(job);
  }
}

size_t DeviceWorkers::thread_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return threads_.size();
}

}  // namespace ascendcl
