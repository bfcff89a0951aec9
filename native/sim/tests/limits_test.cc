// Configured limits: streams and events per device, device memory, device count.
#include <string>
#include <vector>

#include "sim_test.h"

using namespace simtest;

namespace {

class LimitsTest : public SimTest {
 protected:
  OptionList Options() const override {
    return {{"devices", "2"}, {"maxStreams", "3"}, {"maxEvents", "2"}, {"memoryBytes", "1MiB"}};
  }
  void SetUp() override {
    SimTest::SetUp();
    SetDevice(0);
  }
};

TEST_F(LimitsTest, StreamsPerDevice) {
  std::vector<aclrtStream> streams(3);
  for (auto &s : streams) ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
  aclrtStream extra = nullptr;
  EXPECT_EQ(aclrtCreateStream(&extra), acl::ACL_ERROR_RT_NO_STREAM_RESOURCE);
  EXPECT_NE(TakeError().find("limit maxStreams = 3"), std::string::npos);
  // Default streams do not count, and the limit is per device.
  SetDevice(1);
  ASSERT_EQ(aclrtCreateStream(&extra), ACL_SUCCESS);
  SetDevice(0);
  ASSERT_EQ(aclrtDestroyStream(streams[0]), ACL_SUCCESS);
  EXPECT_EQ(aclrtCreateStream(&streams[0]), ACL_SUCCESS);
}

TEST_F(LimitsTest, EventsPerDevice) {
  aclrtEvent a = nullptr, b = nullptr, c = nullptr;
  ASSERT_EQ(aclrtCreateEvent(&a), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateEventWithFlag(&b, ACL_EVENT_SYNC), ACL_SUCCESS);
  EXPECT_EQ(aclrtCreateEvent(&c), acl::ACL_ERROR_RT_NO_EVENT_RESOURCE);
  EXPECT_NE(TakeError().find("limit maxEvents = 2"), std::string::npos);
  ASSERT_EQ(aclrtDestroyEvent(a), ACL_SUCCESS);
  EXPECT_EQ(aclrtCreateEvent(&c), ACL_SUCCESS);
}

TEST_F(LimitsTest, MemoryPerDevice) {
  std::vector<void *> blocks;
  void *p = nullptr;
  // 64 KiB - 32 consumes exactly 64 KiB: sixteen of them fill 1 MiB.
  for (int i = 0; i < 16; ++i) {
    ASSERT_EQ(aclrtMalloc(&p, 65536 - 32, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS) << i;
    blocks.push_back(p);
  }
  EXPECT_EQ(aclrtMalloc(&p, 1, ACL_MEM_MALLOC_HUGE_FIRST), acl::ACL_ERROR_RT_MEMORY_ALLOCATION);
  TakeError();
  SetDevice(1);
  EXPECT_EQ(aclrtMalloc(&p, 65536, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS) << "each device has its own memory";
  SetDevice(0);
  for (void *b : blocks) ASSERT_EQ(aclrtFree(b), ACL_SUCCESS);
  // Next-fit placement wraps around the (1 GiB) address range and finds the freed space again.
  for (int round = 0; round < 2100; ++round) {
    ASSERT_EQ(aclrtMalloc(&p, 1 << 19, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS) << round;
    ASSERT_EQ(aclrtFree(p), ACL_SUCCESS);
  }
}

TEST_F(LimitsTest, DeviceIds) {
  EXPECT_EQ(aclrtSetDevice(2), acl::ACL_ERROR_RT_INVALID_DEVICEID);
  aclrtContext context = nullptr;
  EXPECT_EQ(aclrtCreateContext(&context, 64), acl::ACL_ERROR_RT_INVALID_DEVICEID);
  TakeError();
}

}  // namespace
