// The trace recorder (aclsimTraceStart / aclsimTraceStop): every stream task that runs while a
// trace is active, with its stream, API, queue position and times; nothing outside a trace.
#include <cstdint>
#include <string>

#include "sim_test.h"

using namespace simtest;

namespace {

class TraceTest : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    SetDevice(0);
    ASSERT_EQ(aclrtCreateStream(&a_), ACL_SUCCESS);
    ASSERT_EQ(aclrtCreateStream(&b_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&dev_, 1 << 20, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  }
  static size_t Count(const std::string &text, const std::string &what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }
  aclrtStream a_ = nullptr;
  aclrtStream b_ = nullptr;
  void *dev_ = nullptr;
};

TEST_F(TraceTest, RecordsEveryTaskOfATraceWithItsStreamAndTimes) {
  ASSERT_EQ(aclrtMemsetAsync(dev_, 1 << 20, 0, 1 << 20, a_), ACL_SUCCESS);  // before the trace
  ASSERT_EQ(aclrtSynchronizeStream(a_), ACL_SUCCESS);
  ASSERT_EQ(aclsimTraceStart(100), ACL_SUCCESS);
  aclrtEvent event = nullptr;
  ASSERT_EQ(aclrtCreateEvent(&event), ACL_SUCCESS);
  // The gate holds stream a until b's wait is queued: a wait on an event that has already
  // completed is not submitted at all, and that would make b's task count depend on timing.
  StreamGate gate(a_);
  ASSERT_EQ(aclrtMemsetAsync(dev_, 1 << 20, 1, 1 << 20, a_), ACL_SUCCESS);
  ASSERT_EQ(aclrtRecordEvent(event, a_), ACL_SUCCESS);
  ASSERT_EQ(aclrtStreamWaitEvent(b_, event), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemsetAsync(dev_, 4096, 2, 4096, b_), ACL_SUCCESS);
  gate.Release();
  ASSERT_EQ(aclrtSynchronizeStream(a_), ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeStream(b_), ACL_SUCCESS);
  std::string json = aclsimTraceStop();
  EXPECT_EQ(json.rfind("{\"active\":true,", 0), 0u) << json;
  EXPECT_NE(json.find("\"lost\":0,"), std::string::npos) << json;
  EXPECT_EQ(Count(json, "\"api\":\"aclrtMemsetAsync\""), 2u) << json;
  EXPECT_EQ(Count(json, "\"api\":\"aclrtRecordEvent\""), 1u) << json;
  EXPECT_EQ(Count(json, "\"api\":\"aclrtStreamWaitEvent\""), 1u) << json;
  std::string a = "\"stream\":\"" + std::to_string(reinterpret_cast<uint64_t>(a_)) + "\"";
  std::string b = "\"stream\":\"" + std::to_string(reinterpret_cast<uint64_t>(b_)) + "\"";
  EXPECT_EQ(Count(json, "\"api\":\"aclrtLaunchCallback\""), 1u) << json;
  EXPECT_EQ(Count(json, a), 3u) << json;  // the gate, the memset, the record
  EXPECT_EQ(Count(json, b), 2u) << json;
  // The memset on a is its third task (after the untraced memset and the gate); positions
  // count from the stream's first submission.
  EXPECT_NE(json.find(a + ",\"device\":0,\"api\":\"aclrtMemsetAsync\",\"position\":3,"), std::string::npos) << json;
  EXPECT_EQ(Count(json, "\"startNs\":-"), 0u) << "no start before the trace: " << json;
  ASSERT_EQ(aclrtDestroyEvent(event), ACL_SUCCESS);

  // Stopped: nothing more is recorded, and a second stop returns an empty, inactive trace.
  ASSERT_EQ(aclrtMemsetAsync(dev_, 1 << 20, 3, 1 << 20, a_), ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeStream(a_), ACL_SUCCESS);
  EXPECT_STREQ(aclsimTraceStop(), "{\"active\":false,\"durationNs\":0,\"lost\":0,\"records\":[]}");
}

TEST_F(TraceTest, CapacityCountsTheRestAsLost) {
  EXPECT_EQ(aclsimTraceStart(0), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();
  ASSERT_EQ(aclsimTraceStart(3), ACL_SUCCESS);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(aclrtMemsetAsync(dev_, 64, i, 64, a_), ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeStream(a_), ACL_SUCCESS);
  std::string json = aclsimTraceStop();
  EXPECT_NE(json.find("\"lost\":7,"), std::string::npos) << json;
  EXPECT_EQ(Count(json, "\"api\":"), 3u) << json;
}

}  // namespace
