// Streams and the scheduler (reference §5.4): ordering, concurrency, synchronize and its timeouts,
// query, destroy (waiting and forced), event waits between streams, finalize with queued work.
#include <string>
#include <thread>
#include <vector>

#include "sim_test.h"

using namespace simtest;

namespace {

class StreamTest : public SimTest {
 protected:
  OptionList Options() const override { return {{"devices", "2"}}; }
  void SetUp() override {
    SimTest::SetUp();
    SetDevice(0);
    ASSERT_EQ(aclrtCreateStream(&a_), ACL_SUCCESS);
    ASSERT_EQ(aclrtCreateStream(&b_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&dev_, 4096, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  }
  unsigned char ReadByte(size_t offset) {
    unsigned char value = 0;
    EXPECT_EQ(aclrtMemcpy(&value, 1, static_cast<char *>(dev_) + offset, 1, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    return value;
  }
  aclrtStreamStatus Query(aclrtStream s) {
    aclrtStreamStatus status = ACL_STREAM_STATUS_RESERVED;
    EXPECT_EQ(aclrtStreamQuery(s, &status), ACL_SUCCESS);
    return status;
  }
  aclrtStream a_ = nullptr;
  aclrtStream b_ = nullptr;
  void *dev_ = nullptr;
};

TEST_F(StreamTest, CreateAndDestroyArguments) {
  EXPECT_EQ(aclrtCreateStream(nullptr), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtDestroyStream(nullptr), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtDestroyStream(reinterpret_cast<aclrtStream>(0x1234)), acl::ACL_ERROR_RT_INVALID_HANDLE);
  EXPECT_NE(TakeError().find("is not a stream handle of this simulator"), std::string::npos);
  aclrtEvent event = nullptr;
  ASSERT_EQ(aclrtCreateEvent(&event), ACL_SUCCESS);
  EXPECT_EQ(aclrtDestroyStream(event), acl::ACL_ERROR_RT_INVALID_HANDLE);
  EXPECT_NE(TakeError().find("is an event handle, not a stream"), std::string::npos);
  EXPECT_EQ(StatField("streams"), 2);
  ASSERT_EQ(aclrtDestroyStream(a_), ACL_SUCCESS);
  EXPECT_EQ(aclrtDestroyStream(a_), acl::ACL_ERROR_RT_INVALID_HANDLE);
  EXPECT_NE(TakeError().find("was destroyed"), std::string::npos);
  EXPECT_EQ(aclrtSynchronizeStream(a_), acl::ACL_ERROR_RT_INVALID_HANDLE);
  EXPECT_EQ(StatField("streams"), 1);
  TakeError();
}

TEST_F(StreamTest, DestroyAndSynchronizeNeedAContext) {
  std::thread([&] {
    EXPECT_EQ(aclrtDestroyStream(a_), acl::ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtSynchronizeStream(a_), acl::ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(a_, 10), acl::ACL_ERROR_RT_CONTEXT_NULL);
    TakeError();
  }).join();
  SetDevice(1);
  EXPECT_EQ(aclrtDestroyStream(a_), acl::ACL_ERROR_RT_STREAM_CONTEXT);
  EXPECT_NE(TakeError().find("current context is on device 1"), std::string::npos);
  SetDevice(0);
  EXPECT_EQ(aclrtDestroyStream(a_), ACL_SUCCESS);
}

TEST_F(StreamTest, OperationsOfOneStreamRunInSubmissionOrder) {
  void *copy = nullptr;
  ASSERT_EQ(aclrtMalloc(&copy, 4096, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  char *d = static_cast<char *>(dev_), *c = static_cast<char *>(copy);
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(aclrtMemsetAsync(d, 4096, i, 4096, a_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpyAsync(c + i, 1, d + i, 1, ACL_MEMCPY_DEVICE_TO_DEVICE, a_), ACL_SUCCESS);
  }
  ASSERT_EQ(aclrtSynchronizeStream(a_), ACL_SUCCESS);
  unsigned char out[200];
  ASSERT_EQ(aclrtMemcpy(out, 200, copy, 200, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
  for (int i = 0; i < 200; ++i) ASSERT_EQ(out[i], i) << "copy " << i << " saw a later or earlier fill";
}

TEST_F(StreamTest, StreamsRunConcurrently) {
  StreamGate gate(a_);
  ASSERT_EQ(aclrtMemsetAsync(dev_, 4096, 0xA0, 16, a_), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemsetAsync(static_cast<char *>(dev_) + 16, 16, 0xB0, 16, b_), ACL_SUCCESS);
  // Stream B finishes while stream A is still held at its gate: they do not run one after another.
  ASSERT_EQ(aclrtSynchronizeStream(b_), ACL_SUCCESS);
  EXPECT_EQ(ReadByte(16), 0xB0);
  EXPECT_EQ(Query(a_), ACL_STREAM_STATUS_NOT_READY);
  EXPECT_EQ(Query(b_), ACL_STREAM_STATUS_COMPLETE);
  EXPECT_FALSE(gate.opened());
  gate.Release();
  ASSERT_EQ(aclrtSynchronizeStream(a_), ACL_SUCCESS);
  EXPECT_TRUE(gate.opened());
  EXPECT_EQ(ReadByte(0), 0xA0);
  EXPECT_EQ(Query(a_), ACL_STREAM_STATUS_COMPLETE);
}

TEST_F(StreamTest, SynchronizeWithTimeout) {
  EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(a_, 0), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(a_, -2), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_NE(TakeError().find("timeout -2 ms is invalid"), std::string::npos);
  EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(a_, 1), ACL_SUCCESS) << "nothing queued";
  StreamGate gate(a_);
  ASSERT_EQ(aclrtMemsetAsync(dev_, 4096, 1, 4096, a_), ACL_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(a_, 20), acl::ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
  EXPECT_NE(TakeError().find("aclrtSynchronizeStreamWithTimeout: stream"), std::string::npos);
  // The stream stays usable.
  ASSERT_EQ(aclrtMemsetAsync(dev_, 4096, 2, 4096, a_), ACL_SUCCESS);
  gate.Release();
  EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(a_, -1), ACL_SUCCESS);
  EXPECT_EQ(ReadByte(0), 2);
}

TEST_F(StreamTest, SynchronizeNullStreamIsTheDefaultStream) {
  ASSERT_EQ(aclrtMemsetAsync(dev_, 4096, 3, 4096, nullptr), ACL_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeStream(nullptr), ACL_SUCCESS);
  EXPECT_EQ(ReadByte(4095), 3);
  EXPECT_EQ(aclrtStreamQuery(nullptr, nullptr), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(Query(nullptr), ACL_STREAM_STATUS_COMPLETE);
  TakeError();
}

TEST_F(StreamTest, AThousandIdleStreamsCostNoThreads) {
  int64_t before = StatField("workerThreads");
  std::vector<aclrtStream> streams(1000);
  for (auto &s : streams) ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
  EXPECT_EQ(StatField("workerThreads"), before);
  EXPECT_EQ(StatField("streams"), 1002);
  char *d = static_cast<char *>(dev_);
  for (size_t i = 0; i < streams.size(); ++i) {
    ASSERT_EQ(aclrtMemsetAsync(d + i % 4096, 1, static_cast<int>(i), 1, streams[i]), ACL_SUCCESS);
  }
  for (auto &s : streams) ASSERT_EQ(aclrtSynchronizeStream(s), ACL_SUCCESS);
  int64_t workers = StatField("workerThreads");
  EXPECT_GE(workers, 1);
  EXPECT_LE(workers, 32) << "a pool, not a thread per stream";
  for (auto &s : streams) ASSERT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
}

TEST_F(StreamTest, DestroyWaitsForQueuedWork) {
  std::atomic<int> ran{0};
  {
    CallbackThread server({a_});
    auto slow = [](void *arg) {
      std::this_thread::sleep_for(std::chrono::milliseconds(30));  // work that takes time
      static_cast<std::atomic<int> *>(arg)->store(1);
    };
    ASSERT_EQ(aclrtLaunchCallback(slow, &ran, ACL_CALLBACK_BLOCK, a_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(dev_, 4096, 0x5E, 4096, a_), ACL_SUCCESS);
    ASSERT_EQ(aclrtDestroyStream(a_), ACL_SUCCESS);
    EXPECT_EQ(ran.load(), 1);
  }
  EXPECT_EQ(ReadByte(100), 0x5E) << "the queued memset ran before the destroy returned";
}

TEST_F(StreamTest, ForcedDestroyDropsWhatHasNotStarted) {
  aclrtEvent event = nullptr, start = nullptr;
  ASSERT_EQ(aclrtCreateEvent(&event), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateEvent(&start), ACL_SUCCESS);
  ASSERT_EQ(aclrtRecordEvent(start, b_), ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeEvent(start), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemset(dev_, 4096, 0x01, 4096), ACL_SUCCESS);
  StreamGate gate(a_);
  ASSERT_EQ(aclrtMemsetAsync(dev_, 4096, 0x02, 4096, a_), ACL_SUCCESS);
  ASSERT_EQ(aclrtRecordEvent(event, a_), ACL_SUCCESS);
  aclrtEventRecordedStatus status = ACL_EVENT_RECORDED_STATUS_COMPLETE;
  ASSERT_EQ(aclrtQueryEventStatus(event, &status), ACL_SUCCESS);
  EXPECT_EQ(status, ACL_EVENT_RECORDED_STATUS_NOT_READY);

  ASSERT_EQ(aclrtDestroyStreamForce(a_), ACL_SUCCESS);
  EXPECT_FALSE(gate.opened()) << "the dropped callback is not run";
  EXPECT_EQ(ReadByte(0), 0x01) << "the dropped memset did not run";
  // The dropped record still completes its event, without a timestamp, so nobody waits forever.
  ASSERT_EQ(aclrtQueryEventStatus(event, &status), ACL_SUCCESS);
  EXPECT_EQ(status, ACL_EVENT_RECORDED_STATUS_COMPLETE);
  EXPECT_EQ(aclrtSynchronizeEvent(event), ACL_SUCCESS);
  float ms = 0;
  EXPECT_EQ(aclrtEventElapsedTime(&ms, start, event), acl::ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID);
  EXPECT_NE(TakeError().find("record was dropped"), std::string::npos);
  // The stream's callback subscription went with it.
  EXPECT_EQ(aclrtProcessReport(10), acl::ACL_ERROR_RT_THREAD_SUBSCRIBE);
  TakeError();
}

TEST_F(StreamTest, WaitEventOrdersStreams) {
  aclrtEvent event = nullptr;
  ASSERT_EQ(aclrtCreateEvent(&event), ACL_SUCCESS);
  EXPECT_EQ(aclrtStreamWaitEvent(b_, event), ACL_SUCCESS) << "never recorded: no-op";
  EXPECT_EQ(aclrtStreamWaitEvent(b_, nullptr), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();
  StreamGate gate(a_);
  ASSERT_EQ(aclrtMemsetAsync(dev_, 4096, 0x0A, 1, a_), ACL_SUCCESS);
  ASSERT_EQ(aclrtRecordEvent(event, a_), ACL_SUCCESS);
  ASSERT_EQ(aclrtStreamWaitEvent(b_, event), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemcpyAsync(static_cast<char *>(dev_) + 1, 1, dev_, 1, ACL_MEMCPY_DEVICE_TO_DEVICE, b_), ACL_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(b_, 20), acl::ACL_ERROR_RT_STREAM_SYNC_TIMEOUT) << "B waits for A";
  TakeError();
  gate.Release();
  ASSERT_EQ(aclrtSynchronizeStream(b_), ACL_SUCCESS);
  EXPECT_EQ(ReadByte(1), 0x0A) << "B's copy ran after A's memset";
}

TEST_F(StreamTest, WaitEventWithTimeoutRecordsAnErrorAndGoesOn) {
  aclrtEvent event = nullptr;
  ASSERT_EQ(aclrtCreateEvent(&event), ACL_SUCCESS);
  EXPECT_EQ(aclrtStreamWaitEventWithTimeout(b_, event, 0), acl::ACL_ERROR_RT_PARAM_INVALID);
  TakeError();
  StreamGate gate(a_);
  ASSERT_EQ(aclrtRecordEvent(event, a_), ACL_SUCCESS);
  ASSERT_EQ(aclrtStreamWaitEventWithTimeout(b_, event, 20), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemsetAsync(dev_, 4096, 0x0B, 1, b_), ACL_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeStream(b_), acl::ACL_ERROR_RT_EVENT_SYNC_TIMEOUT);
  std::string message = TakeError();
  EXPECT_NE(message.find("aclrtSynchronizeStream: stream"), std::string::npos) << message;
  EXPECT_NE(message.find("timed out after 20 ms"), std::string::npos) << message;
  EXPECT_EQ(ReadByte(0), 0x0B) << "the stream went on after the timeout";
  EXPECT_EQ(aclrtSynchronizeStream(b_), ACL_SUCCESS) << "the error was reported once";
  gate.Release();
  EXPECT_EQ(aclrtSynchronizeStream(a_), ACL_SUCCESS);
}

TEST_F(StreamTest, DeviceSynchronizeReportsAndClearsAsyncErrors) {
  aclrtEvent event = nullptr;
  ASSERT_EQ(aclrtCreateEvent(&event), ACL_SUCCESS);
  StreamGate gate(a_);
  ASSERT_EQ(aclrtRecordEvent(event, a_), ACL_SUCCESS);
  ASSERT_EQ(aclrtStreamWaitEventWithTimeout(b_, event, 5), ACL_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(b_, 5000), acl::ACL_ERROR_RT_EVENT_SYNC_TIMEOUT);
  TakeError();
  ASSERT_EQ(aclrtStreamWaitEventWithTimeout(b_, event, 5), ACL_SUCCESS);
  // Let the second wait expire without consuming its error: poll B until it has moved on.
  while (Query(b_) != ACL_STREAM_STATUS_COMPLETE) std::this_thread::yield();
  gate.Release();
  EXPECT_EQ(aclrtSynchronizeDevice(), acl::ACL_ERROR_RT_EVENT_SYNC_TIMEOUT);
  EXPECT_NE(TakeError().find("timed out"), std::string::npos);
  EXPECT_EQ(aclrtSynchronizeDevice(), ACL_SUCCESS);
}

TEST_F(StreamTest, FinalizeDropsQueuedWork) {
  aclrtEvent event = nullptr;
  ASSERT_EQ(aclrtCreateEvent(&event), ACL_SUCCESS);
  {
    StreamGate gate(a_);
    for (int i = 0; i < 10; ++i) ASSERT_EQ(aclrtMemsetAsync(dev_, 4096, i, 4096, a_), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(event, a_), ACL_SUCCESS);
    EXPECT_GT(StatField("pendingTasks"), 10);
    ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
    EXPECT_FALSE(gate.opened());
    EXPECT_EQ(StatField("workerThreads"), 0) << "workers are joined at finalize";
    EXPECT_EQ(aclrtProcessReport(10), acl::ACL_ERROR_UNINITIALIZE);
    TakeError();
  }
  ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
  SetDevice(0);
  aclrtStream s = nullptr;
  ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeStream(s), ACL_SUCCESS);
}

}  // namespace
