// Host callbacks (reference §5.6): subscription rules and codes, callbacks run inside
// aclrtProcessReport on the subscribed thread, BLOCK semantics, unsubscribe releasing waiters.
#include <string>
#include <thread>

#include "sim_test.h"

using namespace simtest;

namespace {

class CallbackTest : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    SetDevice(0);
    ASSERT_EQ(aclrtCreateStream(&stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&dev_, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemset(dev_, 64, 0, 64), ACL_SUCCESS);
  }
  unsigned char ReadByte() {
    unsigned char value = 0;
    EXPECT_EQ(aclrtMemcpy(&value, 1, dev_, 1, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    return value;
  }
  static void Count(void *counter) { static_cast<std::atomic<int> *>(counter)->fetch_add(1); }
  aclrtStream stream_ = nullptr;
  void *dev_ = nullptr;
};

TEST_F(CallbackTest, ArgumentAndSubscriptionErrors) {
  std::atomic<int> calls{0};
  EXPECT_EQ(aclrtLaunchCallback(&Count, &calls, ACL_CALLBACK_BLOCK, stream_), acl::ACL_ERROR_RT_STREAM_NO_CB_REG);
  EXPECT_NE(TakeError().find("no thread is subscribed to stream"), std::string::npos);
  EXPECT_EQ(aclrtLaunchCallback(nullptr, &calls, ACL_CALLBACK_BLOCK, stream_), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(LaunchCallbackRawBlock(&Count, &calls, 2, stream_), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtProcessReport(0), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtProcessReport(-2), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtProcessReport(10), acl::ACL_ERROR_RT_THREAD_SUBSCRIBE);
  EXPECT_NE(TakeError().find("no stream is subscribed to the calling thread"), std::string::npos);
  EXPECT_EQ(aclrtUnSubscribeReport(SelfId(), stream_), acl::ACL_ERROR_STREAM_NOT_SUBSCRIBE);
  ASSERT_EQ(aclrtSubscribeReport(SelfId(), stream_), ACL_SUCCESS);
  EXPECT_EQ(aclrtSubscribeReport(SelfId(), stream_), acl::ACL_ERROR_REPEAT_SUBSCRIBE);
  EXPECT_EQ(aclrtSubscribeReport(SelfId() + 1, stream_), acl::ACL_ERROR_REPEAT_SUBSCRIBE);
  EXPECT_EQ(aclrtUnSubscribeReport(SelfId() + 1, stream_), acl::ACL_ERROR_STREAM_NOT_SUBSCRIBE);
  EXPECT_EQ(StatField("callbackSubscriptions"), 1);
  EXPECT_EQ(aclrtProcessReport(15), acl::ACL_ERROR_RT_REPORT_TIMEOUT);
  EXPECT_NE(TakeError().find("no callback arrived within 15 ms"), std::string::npos);
  ASSERT_EQ(aclrtUnSubscribeReport(SelfId(), stream_), ACL_SUCCESS);
  EXPECT_EQ(StatField("callbackSubscriptions"), 0);
  EXPECT_EQ(calls.load(), 0);
}

struct Seen {
  std::atomic<uint64_t> thread{0};
  std::atomic<int> calls{0};
};

TEST_F(CallbackTest, CallbacksRunOnTheSubscribedThreadInsideProcessReport) {
  Seen seen;
  uint64_t server_id = 0;
  {
    CallbackThread server({stream_});
    server_id = server.id();
    auto record = [](void *arg) {
      auto *s = static_cast<Seen *>(arg);
      s->thread.store(SelfId());
      s->calls.fetch_add(1);
    };
    for (int i = 0; i < 3; ++i) ASSERT_EQ(aclrtLaunchCallback(record, &seen, ACL_CALLBACK_BLOCK, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
  }
  EXPECT_EQ(seen.calls.load(), 3);
  EXPECT_EQ(seen.thread.load(), server_id);
  EXPECT_NE(seen.thread.load(), SelfId());
}

TEST_F(CallbackTest, BlockHoldsLaterWorkUntilTheCallbackReturns) {
  std::atomic<int> calls{0};
  ASSERT_EQ(aclrtSubscribeReport(SelfId(), stream_), ACL_SUCCESS);
  ASSERT_EQ(aclrtLaunchCallback(&Count, &calls, ACL_CALLBACK_BLOCK, stream_), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemsetAsync(dev_, 64, 0x66, 64, stream_), ACL_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(stream_, 20), acl::ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
  TakeError();
  aclrtStreamStatus status = ACL_STREAM_STATUS_COMPLETE;
  ASSERT_EQ(aclrtStreamQuery(stream_, &status), ACL_SUCCESS);
  EXPECT_EQ(status, ACL_STREAM_STATUS_NOT_READY) << "the memset waits behind the blocking callback";
  EXPECT_EQ(calls.load(), 0) << "callbacks run only inside aclrtProcessReport";
  ASSERT_EQ(aclrtProcessReport(5000), ACL_SUCCESS);
  EXPECT_EQ(calls.load(), 1);
  ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
  EXPECT_EQ(ReadByte(), 0x66);
  ASSERT_EQ(aclrtUnSubscribeReport(SelfId(), stream_), ACL_SUCCESS);
}

TEST_F(CallbackTest, NoBlockDoesNotHoldTheStream) {
  std::atomic<int> calls{0};
  ASSERT_EQ(aclrtSubscribeReport(SelfId(), nullptr), ACL_SUCCESS) << "NULL = the default stream";
  ASSERT_EQ(aclrtLaunchCallback(&Count, &calls, ACL_CALLBACK_NO_BLOCK, nullptr), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemsetAsync(dev_, 64, 0x77, 64, nullptr), ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeStream(nullptr), ACL_SUCCESS);
  EXPECT_EQ(ReadByte(), 0x77);
  EXPECT_EQ(calls.load(), 0);
  ASSERT_EQ(aclrtProcessReport(5000), ACL_SUCCESS);
  EXPECT_EQ(calls.load(), 1);
  ASSERT_EQ(aclrtUnSubscribeReport(SelfId(), nullptr), ACL_SUCCESS);
}

TEST_F(CallbackTest, UnsubscribeDropsQueuedCallbacksAndReleasesTheStream) {
  std::atomic<int> calls{0};
  ASSERT_EQ(aclrtSubscribeReport(SelfId(), stream_), ACL_SUCCESS);
  ASSERT_EQ(aclrtLaunchCallback(&Count, &calls, ACL_CALLBACK_BLOCK, stream_), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemsetAsync(dev_, 64, 0x55, 64, stream_), ACL_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(stream_, 10), acl::ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
  TakeError();
  ASSERT_EQ(aclrtUnSubscribeReport(SelfId(), stream_), ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
  EXPECT_EQ(ReadByte(), 0x55);
  EXPECT_EQ(calls.load(), 0) << "a dropped callback never runs";
}

TEST_F(CallbackTest, RemovingTheLastSubscriptionWakesAWaitingThread) {
  std::atomic<int> result{-1};
  std::atomic<bool> subscribed{false};
  std::thread server;
  uint64_t id = 0;
  std::mutex mu;
  std::condition_variable cv;
  server = std::thread([&] {
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return subscribed.load(); });
    }
    result.store(aclrtProcessReport(-1));  // waits forever unless unsubscribed
    TakeError();
  });
  id = static_cast<uint64_t>(server.native_handle());
  ASSERT_EQ(aclrtSubscribeReport(id, stream_), ACL_SUCCESS);
  {
    std::lock_guard<std::mutex> lock(mu);
    subscribed.store(true);
  }
  cv.notify_all();
  // Whether the server is already waiting or not, it must come back with 107012.
  ASSERT_EQ(aclrtUnSubscribeReport(id, stream_), ACL_SUCCESS);
  server.join();
  EXPECT_EQ(result.load(), acl::ACL_ERROR_RT_THREAD_SUBSCRIBE);
}

TEST_F(CallbackTest, ACallbackMayCallTheApi) {
  struct Args {
    aclrtContext context;
    void *dev;
    int rc = -1;
  } args;
  ASSERT_EQ(aclrtGetCurrentContext(&args.context), ACL_SUCCESS);
  args.dev = dev_;
  {
    CallbackThread server({stream_});
    auto body = [](void *p) {
      auto *a = static_cast<Args *>(p);
      aclrtSetCurrentContext(a->context);
      a->rc = aclrtMemset(a->dev, 64, 0x12, 64);
    };
    ASSERT_EQ(aclrtLaunchCallback(body, &args, ACL_CALLBACK_BLOCK, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
  }
  EXPECT_EQ(args.rc, ACL_SUCCESS);
  EXPECT_EQ(ReadByte(), 0x12);
}

}  // namespace
