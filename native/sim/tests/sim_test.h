// Shared fixture and helpers for the simulator's tests. Tests use only the exported C ABI, the
// way the addon and C programs do.
#ifndef ASCENDCL_SIM_TESTS_SIM_TEST_H_
#define ASCENDCL_SIM_TESTS_SIM_TEST_H_

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "acl/acl_errors.h"
#include "sim/aclsim.h"

namespace simtest {

// The calling thread's queued messages as a string ("" when none), cleared.
inline std::string TakeError() {
  const char *message = aclGetRecentErrMsg();
  return message != nullptr ? message : "";
}

inline uint64_t SelfId() { return static_cast<uint64_t>(pthread_self()); }

// Exported functions called with a raw int where the prototype has an enum, as a C caller can. (In
// C++ a static_cast of an out-of-range value to such an enum is itself undefined behaviour.)
inline aclError MemcpyRawKind(void *dst, size_t max, const void *src, size_t count, int kind) {
  return reinterpret_cast<aclError (*)(void *, size_t, const void *, size_t, int)>(&aclrtMemcpy)(dst, max, src, count,
                                                                                                 kind);
}
inline aclError MemcpyAsyncRawKind(void *dst, size_t max, const void *src, size_t count, int kind, aclrtStream s) {
  return reinterpret_cast<aclError (*)(void *, size_t, const void *, size_t, int, aclrtStream)>(&aclrtMemcpyAsync)(
      dst, max, src, count, kind, s);
}
inline aclError MallocRawPolicy(void **p, size_t size, int policy) {
  return reinterpret_cast<aclError (*)(void **, size_t, int)>(&aclrtMalloc)(p, size, policy);
}
inline aclError MemInfoRawAttr(int attr, size_t *free_bytes, size_t *total) {
  return reinterpret_cast<aclError (*)(int, size_t *, size_t *)>(&aclrtGetMemInfo)(attr, free_bytes, total);
}
inline aclError LaunchCallbackRawBlock(aclrtCallback fn, void *data, int block, aclrtStream s) {
  return reinterpret_cast<aclError (*)(aclrtCallback, void *, int, aclrtStream)>(&aclrtLaunchCallback)(fn, data, block,
                                                                                                      s);
}
inline aclError CannVersionRawName(int name, aclCANNPackageVersion *version) {
  return reinterpret_cast<aclError (*)(int, aclCANNPackageVersion *)>(&aclsysGetCANNVersion)(name, version);
}

// Every option back to "not set" (environment or default applies).
inline void ResetOptions() {
  for (const char *name : {"devices", "memoryBytes", "socName", "threads", "maxStreams", "maxEvents", "strict", "faults"}) {
    aclsimSetOption(name, nullptr);
  }
}

// A numeric field of aclsimStatsJson's top level or of perDevice[device].
int64_t StatField(const std::string &key, int device = -1);

// aclInit with the options a test asks for, aclFinalize after it. Options not listed are pinned to
// small, environment-independent values so that tests behave the same on every machine.
class SimTest : public ::testing::Test {
 protected:
  using OptionList = std::vector<std::pair<const char *, const char *>>;
  virtual OptionList Options() const { return {}; }

  void SetUp() override {
    ResetOptions();
    aclsimClearFaults();
    ASSERT_EQ(aclsimSetOption("devices", "1"), ACL_SUCCESS);
    ASSERT_EQ(aclsimSetOption("memoryBytes", "1GiB"), ACL_SUCCESS);
    ASSERT_EQ(aclsimSetOption("strict", "1"), ACL_SUCCESS);
    for (const auto &[name, value] : Options()) ASSERT_EQ(aclsimSetOption(name, value), ACL_SUCCESS) << name;
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS) << TakeError();
  }

  void TearDown() override {
    aclsimClearFaults();
    aclFinalize();  // 100037 if the test already finalised: fine
    TakeError();
    ResetOptions();
  }

  // aclrtSetDevice(device) on the calling thread, asserting success.
  static void SetDevice(int32_t device = 0) { ASSERT_EQ(aclrtSetDevice(device), ACL_SUCCESS) << TakeError(); }
};

// Holds a stream at a point with an ACL_CALLBACK_BLOCK callback that only the test thread can run:
// the test thread subscribes itself to the stream, so the callback waits in its report queue until
// Release() calls aclrtProcessReport. No sleeps, no extra threads.
class StreamGate {
 public:
  explicit StreamGate(aclrtStream stream) : stream_(stream) {
    EXPECT_EQ(aclrtSubscribeReport(SelfId(), stream_), ACL_SUCCESS) << TakeError();
    EXPECT_EQ(aclrtLaunchCallback(&StreamGate::Open, &opened_, ACL_CALLBACK_BLOCK, stream_), ACL_SUCCESS)
        << TakeError();
  }
  ~StreamGate() {
    aclrtUnSubscribeReport(SelfId(), stream_);
    TakeError();
  }
  // Runs the gate's callback on this thread; the stream then goes on.
  void Release() { EXPECT_EQ(aclrtProcessReport(5000), ACL_SUCCESS) << TakeError(); }
  bool opened() const { return opened_.load(); }

 private:
  static void Open(void *flag) { static_cast<std::atomic<bool> *>(flag)->store(true); }
  aclrtStream stream_;
  std::atomic<bool> opened_{false};
};

// A thread that serves host callbacks of `streams` (aclrtProcessReport in a loop) until stopped or
// until its last subscription goes away. Subscribed before the loop starts.
class CallbackThread {
 public:
  explicit CallbackThread(std::vector<aclrtStream> streams) : streams_(std::move(streams)) {
    thread_ = std::thread([this] { Loop(); });
    for (aclrtStream s : streams_) EXPECT_EQ(aclrtSubscribeReport(id(), s), ACL_SUCCESS) << TakeError();
    {
      std::lock_guard<std::mutex> lock(mu_);
      go_ = true;
    }
    cv_.notify_all();
  }
  ~CallbackThread() { Stop(); }
  uint64_t id() { return static_cast<uint64_t>(thread_.native_handle()); }
  // Unsubscribes what is still subscribed and joins.
  void Stop() {
    if (!thread_.joinable()) return;
    stop_.store(true);
    for (aclrtStream s : streams_) aclrtUnSubscribeReport(id(), s);
    TakeError();
    thread_.join();
  }
  int last_result() const { return last_.load(); }

 private:
  void Loop() {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return go_; });
    }
    while (!stop_.load()) {
      int rc = aclrtProcessReport(20);
      last_.store(rc);
      if (rc != ACL_SUCCESS) TakeError();
      if (rc == acl::ACL_ERROR_RT_THREAD_SUBSCRIBE) return;  // nothing left to serve
    }
  }
  std::vector<aclrtStream> streams_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool go_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<int> last_{0};
  std::thread thread_;
};

}  // namespace simtest

#endif  // ASCENDCL_SIM_TESTS_SIM_TEST_H_
