// Events (reference §5.5; api.md table): creation flags, query, synchronize, elapsed time and
// 107006, re-recording, waits capturing the record that was latest, limits, cross-device use.
#include <chrono>
#include <string>
#include <thread>

#include "sim_test.h"

using namespace simtest;

namespace {

class EventTest : public SimTest {
 protected:
  OptionList Options() const override { return {{"devices", "2"}}; }
  void SetUp() override {
    SimTest::SetUp();
    SetDevice(0);
    ASSERT_EQ(aclrtCreateStream(&stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtCreateEvent(&event_), ACL_SUCCESS);
  }
  aclrtEventRecordedStatus Status(aclrtEvent e) {
    aclrtEventRecordedStatus status = ACL_EVENT_RECORDED_STATUS_NOT_READY;
    EXPECT_EQ(aclrtQueryEventStatus(e, &status), ACL_SUCCESS);
    return status;
  }
  aclrtStream stream_ = nullptr;
  aclrtEvent event_ = nullptr;
};

TEST_F(EventTest, CreationArguments) {
  aclrtEvent e = nullptr;
  EXPECT_EQ(aclrtCreateEvent(nullptr), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtCreateEventWithFlag(&e, 0), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtCreateEventWithFlag(&e, 0x100), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtCreateEventWithFlag(nullptr, ACL_EVENT_SYNC), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtDestroyEvent(nullptr), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();
  ASSERT_EQ(aclrtCreateEventWithFlag(&e, ACL_EVENT_SYNC | ACL_EVENT_TIME_LINE), ACL_SUCCESS);
  EXPECT_EQ(StatField("events"), 2);
  EXPECT_EQ(aclrtDestroyEvent(e), ACL_SUCCESS);
  EXPECT_EQ(aclrtDestroyEvent(e), acl::ACL_ERROR_RT_INVALID_HANDLE);
  EXPECT_EQ(aclrtQueryEventStatus(e, nullptr), acl::ACL_ERROR_INVALID_PARAM);
  aclrtEventRecordedStatus status;
  EXPECT_EQ(aclrtQueryEventStatus(e, &status), acl::ACL_ERROR_RT_INVALID_HANDLE);
  EXPECT_EQ(aclrtQueryEventStatus(stream_, &status), acl::ACL_ERROR_RT_INVALID_HANDLE);
  EXPECT_NE(TakeError().find("is a stream handle, not an event"), std::string::npos);
  std::thread([] {
    aclrtEvent e2 = nullptr;
    EXPECT_EQ(aclrtCreateEvent(&e2), acl::ACL_ERROR_RT_CONTEXT_NULL);
  }).join();
}

TEST_F(EventTest, QueryFollowsTheLatestRecord) {
  EXPECT_EQ(Status(event_), ACL_EVENT_RECORDED_STATUS_COMPLETE) << "never recorded counts as complete";
  EXPECT_EQ(aclrtSynchronizeEvent(event_), ACL_SUCCESS);
  StreamGate gate(stream_);
  ASSERT_EQ(aclrtRecordEvent(event_, stream_), ACL_SUCCESS);
  EXPECT_EQ(Status(event_), ACL_EVENT_RECORDED_STATUS_NOT_READY);
  EXPECT_EQ(aclrtSynchronizeEventWithTimeout(event_, 20), acl::ACL_ERROR_RT_EVENT_SYNC_TIMEOUT);
  EXPECT_NE(TakeError().find("did not complete within 20 ms"), std::string::npos);
  EXPECT_EQ(aclrtSynchronizeEventWithTimeout(event_, 0), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_EQ(aclrtSynchronizeEventWithTimeout(event_, -5), acl::ACL_ERROR_RT_PARAM_INVALID);
  TakeError();
  gate.Release();
  EXPECT_EQ(aclrtSynchronizeEvent(event_), ACL_SUCCESS);
  EXPECT_EQ(Status(event_), ACL_EVENT_RECORDED_STATUS_COMPLETE);
  EXPECT_EQ(aclrtSynchronizeEventWithTimeout(event_, -1), ACL_SUCCESS);
}

TEST_F(EventTest, ARecordOnTheNullStreamUsesTheDefaultStream) {
  ASSERT_EQ(aclrtRecordEvent(event_, nullptr), ACL_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeEvent(event_), ACL_SUCCESS);
  EXPECT_EQ(aclrtRecordEvent(nullptr, nullptr), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();
}

TEST_F(EventTest, ElapsedTimeIsRealTimeInMilliseconds) {
  aclrtEvent end = nullptr;
  ASSERT_EQ(aclrtCreateEvent(&end), ACL_SUCCESS);
  ASSERT_EQ(aclrtSubscribeReport(SelfId(), stream_), ACL_SUCCESS);
  ASSERT_EQ(aclrtRecordEvent(event_, stream_), ACL_SUCCESS);
  auto slow = [](void *) { std::this_thread::sleep_for(std::chrono::milliseconds(25)); };  // work taking time
  ASSERT_EQ(aclrtLaunchCallback(slow, nullptr, ACL_CALLBACK_BLOCK, stream_), ACL_SUCCESS);
  ASSERT_EQ(aclrtRecordEvent(end, stream_), ACL_SUCCESS);
  float ms = -1;
  EXPECT_EQ(aclrtEventElapsedTime(&ms, event_, end), acl::ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID);
  EXPECT_NE(TakeError().find("has not completed yet"), std::string::npos);
  ASSERT_EQ(aclrtProcessReport(5000), ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeEvent(end), ACL_SUCCESS);
  ASSERT_EQ(aclrtEventElapsedTime(&ms, event_, end), ACL_SUCCESS);
  EXPECT_GE(ms, 24.0f);
  EXPECT_LT(ms, 5000.0f);
  float back = 0;
  ASSERT_EQ(aclrtEventElapsedTime(&back, end, event_), ACL_SUCCESS);
  EXPECT_FLOAT_EQ(back, -ms);
  ASSERT_EQ(aclrtUnSubscribeReport(SelfId(), stream_), ACL_SUCCESS);
}

TEST_F(EventTest, ElapsedTimeNeedsTwoCompleteTimedRecords) {
  aclrtEvent end = nullptr, untimed = nullptr;
  ASSERT_EQ(aclrtCreateEvent(&end), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateEventWithFlag(&untimed, ACL_EVENT_SYNC), ACL_SUCCESS);
  float ms = 0;
  EXPECT_EQ(aclrtEventElapsedTime(nullptr, event_, end), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtEventElapsedTime(&ms, nullptr, end), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();
  ASSERT_EQ(aclrtRecordEvent(event_, stream_), ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeEvent(event_), ACL_SUCCESS);
  EXPECT_EQ(aclrtEventElapsedTime(&ms, event_, end), acl::ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID);
  EXPECT_NE(TakeError().find("end event"), std::string::npos);
  EXPECT_EQ(aclrtEventElapsedTime(&ms, end, event_), acl::ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID);
  EXPECT_NE(TakeError().find("start event"), std::string::npos);
  ASSERT_EQ(aclrtRecordEvent(untimed, stream_), ACL_SUCCESS);
  ASSERT_EQ(aclrtRecordEvent(end, stream_), ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
  EXPECT_EQ(aclrtEventElapsedTime(&ms, event_, untimed), acl::ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID);
  EXPECT_NE(TakeError().find("without ACL_EVENT_TIME_LINE"), std::string::npos);
  ASSERT_EQ(aclrtEventElapsedTime(&ms, event_, end), ACL_SUCCESS);
  EXPECT_GE(ms, 0.0f);
  aclrtEvent timed_flag = nullptr;
  ASSERT_EQ(aclrtCreateEventWithFlag(&timed_flag, ACL_EVENT_TIME_LINE), ACL_SUCCESS);
  ASSERT_EQ(aclrtRecordEvent(timed_flag, stream_), ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeEvent(timed_flag), ACL_SUCCESS);
  EXPECT_EQ(aclrtEventElapsedTime(&ms, event_, timed_flag), ACL_SUCCESS);
}

TEST_F(EventTest, WaitsCaptureTheRecordThatWasLatestAtTheCall) {
  aclrtStream other = nullptr, waiter = nullptr;
  ASSERT_EQ(aclrtCreateStream(&other), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateStream(&waiter), ACL_SUCCESS);
  StreamGate gate(stream_);
  ASSERT_EQ(aclrtRecordEvent(event_, stream_), ACL_SUCCESS);  // held by the gate
  ASSERT_EQ(aclrtStreamWaitEvent(waiter, event_), ACL_SUCCESS);
  ASSERT_EQ(aclrtRecordEvent(event_, other), ACL_SUCCESS);  // a newer record that completes at once
  ASSERT_EQ(aclrtSynchronizeStream(other), ACL_SUCCESS);
  EXPECT_EQ(Status(event_), ACL_EVENT_RECORDED_STATUS_COMPLETE) << "status follows the latest record";
  aclrtStreamStatus status;
  ASSERT_EQ(aclrtStreamQuery(waiter, &status), ACL_SUCCESS);
  EXPECT_EQ(status, ACL_STREAM_STATUS_NOT_READY) << "the waiter still waits for the earlier record";
  gate.Release();
  EXPECT_EQ(aclrtSynchronizeStream(waiter), ACL_SUCCESS);
}

TEST_F(EventTest, DestroyWhileARecordIsPending) {
  StreamGate gate(stream_);
  ASSERT_EQ(aclrtRecordEvent(event_, stream_), ACL_SUCCESS);
  EXPECT_EQ(aclrtDestroyEvent(event_), ACL_SUCCESS);
  EXPECT_EQ(StatField("events"), 0);
  gate.Release();
  EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
}

TEST_F(EventTest, EventAndStreamMustBeOnOneDevice) {
  SetDevice(1);
  aclrtStream on1 = nullptr;
  aclrtEvent event1 = nullptr;
  ASSERT_EQ(aclrtCreateStream(&on1), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateEvent(&event1), ACL_SUCCESS);
  EXPECT_EQ(aclrtRecordEvent(event_, on1), acl::ACL_ERROR_RT_STREAM_CONTEXT);
  EXPECT_EQ(aclrtStreamWaitEvent(on1, event_), acl::ACL_ERROR_RT_STREAM_CONTEXT);
  EXPECT_EQ(aclrtRecordEvent(event1, stream_), acl::ACL_ERROR_RT_STREAM_CONTEXT);
  EXPECT_NE(TakeError().find("belongs to device 1 but stream"), std::string::npos);
  EXPECT_EQ(aclrtRecordEvent(event1, on1), ACL_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeEvent(event1), ACL_SUCCESS);
}

}  // namespace
