// The executor's worker threads (the `threads` option): parallel loops for kernels. One pool
// per simulator, created by the model layer and handed to every run.
#ifndef ASCENDCL_SIM_EXECUTOR_THREAD_POOL_H_
#define ASCENDCL_SIM_EXECUTOR_THREAD_POOL_H_

#include <cstdint>
#include <functional>
#include <memory>

namespace aclsim::exec {

class ThreadPool {
 public:
  // `threads` >= 1 counts the calling thread: a pool of 1 runs everything on the caller.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  int size() const;

  // Calls fn(begin, end) on disjoint chunks covering [0, n), each at least `grain` long (except
  // the last), on up to size() threads including the caller, and returns when all are done.
  // Called from inside a pool task (nested), or by several callers at once, it stays correct:
  // chunks beyond what idle threads take run on the caller. Never oversubscribes.
  void ParallelFor(int64_t n, int64_t grain, const std::function<void(int64_t begin, int64_t end)> &fn);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aclsim::exec

#endif  // ASCENDCL_SIM_EXECUTOR_THREAD_POOL_H_
