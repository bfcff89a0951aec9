#include "sim/executor/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "sim/executor/memory_budget.h"

namespace aclsim::exec {
namespace {
thread_local bool t_in_pool = false;
}  // namespace

// A loop shared by the caller and the workers that join it: chunks are claimed with an atomic
// counter, so whoever is free takes the next one and nobody waits for a slow thread's share.
struct Loop {
  int64_t n;
  int64_t chunk;
  const std::function<void(int64_t, int64_t)> *fn;
  std::shared_ptr<MemoryBudget> budget;  // the caller's: what tensors made inside the loop charge
  std::atomic<int64_t> next{0};
  std::atomic<int> active{0};  // threads inside Drain
  std::mutex done_mutex;
  std::condition_variable done;

  void Drain() {
    for (;;) {
      int64_t begin = next.fetch_add(chunk, std::memory_order_relaxed);
      if (begin >= n) return;
      (*fn)(begin, std::min(n, begin + chunk));
    }
  }
};

struct ThreadPool::Impl {
  explicit Impl(int threads) : size(std::max(1, threads)) {
    for (int i = 1; i < size; ++i) workers.emplace_back([this] { Work(); });
  }
  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    for (std::thread &worker : workers) worker.join();
  }

  void Work() {
    t_in_pool = true;
    for (;;) {
      std::shared_ptr<Loop> loop;
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [this] { return stopping || !loops.empty(); });
        if (stopping) return;
        loop = loops.front();
        if (loop->next.load(std::memory_order_relaxed) >= loop->n) {
          loops.pop_front();  // fully claimed: nothing left for us
          continue;
        }
        loop->active.fetch_add(1);
      }
      {
        BudgetScope scope(loop->budget);
        loop->Drain();
      }
      if (loop->active.fetch_sub(1) == 1) {
        std::lock_guard<std::mutex> lock(loop->done_mutex);
        loop->done.notify_all();
      }
    }
  }

  const int size;
  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::shared_ptr<Loop>> loops;
  bool stopping = false;
};

ThreadPool::ThreadPool(int threads) : impl_(std::make_unique<Impl>(threads)) {}
ThreadPool::~ThreadPool() = default;

int ThreadPool::size() const { return impl_->size; }

void ThreadPool::ParallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)> &fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  const int64_t max_chunks = (n + grain - 1) / grain;
  // Nested loops and single-chunk work run on the caller: the pool is busy or not needed.
  if (impl_->size == 1 || max_chunks == 1 || t_in_pool) {
    fn(0, n);
    return;
  }
  const int64_t parts = std::min<int64_t>(max_chunks, static_cast<int64_t>(impl_->size) * 4);
  auto loop = std::make_shared<Loop>();
  loop->n = n;
  loop->chunk = std::max(grain, (n + parts - 1) / parts);
  loop->fn = &fn;
  loop->budget = CurrentBudget();
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->loops.push_back(loop);
  }
  impl_->wake.notify_all();
  t_in_pool = true;
  loop->Drain();
  t_in_pool = false;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto found = std::find(impl_->loops.begin(), impl_->loops.end(), loop);
    if (found != impl_->loops.end()) impl_->loops.erase(found);
  }
  // Wait for workers still finishing a chunk they claimed.
  std::unique_lock<std::mutex> lock(loop->done_mutex);
  loop->done.wait(lock, [&] { return loop->active.load() == 0; });
}

}  // namespace aclsim::exec
