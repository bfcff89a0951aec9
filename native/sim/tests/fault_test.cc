// Fault injection: nth-call and every-call rules, the faults option, pointer-returning functions,
// what is never faultable, and device-fatal codes that make a device lost until it is reset.
#include <cstdlib>
#include <string>

#include "sim_test.h"

using namespace simtest;

namespace {

class FaultTest : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    SetDevice(0);
  }
};

TEST_F(FaultTest, TheNthCallFails) {
  void *p = nullptr;
  ASSERT_EQ(aclsimInjectFault("aclrtMalloc", 2, acl::ACL_ERROR_RT_MEMORY_ALLOCATION), ACL_SUCCESS);
  EXPECT_EQ(aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  EXPECT_EQ(aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST), acl::ACL_ERROR_RT_MEMORY_ALLOCATION);
  EXPECT_EQ(TakeError(), "aclrtMalloc: injected fault 207001 (ACL_ERROR_RT_MEMORY_ALLOCATION)");
  EXPECT_EQ(aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  EXPECT_EQ(StatField("allocations"), 2) << "the faulted call did nothing";
  EXPECT_EQ(StatField("lost", 0), 0) << "207001 is not device-fatal";
}

TEST_F(FaultTest, NthZeroFailsEveryCallUntilCleared) {
  aclrtStream stream = nullptr;
  ASSERT_EQ(aclsimInjectFault("aclrtCreateStream", 0, acl::ACL_ERROR_RT_NO_STREAM_RESOURCE), ACL_SUCCESS);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(aclrtCreateStream(&stream), acl::ACL_ERROR_RT_NO_STREAM_RESOURCE);
  TakeError();
  ASSERT_EQ(aclsimClearFaults(), ACL_SUCCESS);
  EXPECT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
}

TEST_F(FaultTest, FunctionsReturningPointersReturnNull) {
  ASSERT_EQ(aclsimInjectFault("aclrtGetSocName", 1, acl::ACL_ERROR_RT_INTERNAL_ERROR), ACL_SUCCESS);
  EXPECT_EQ(aclrtGetSocName(), nullptr);
  EXPECT_NE(TakeError().find("aclrtGetSocName: injected fault 507000"), std::string::npos);
  EXPECT_NE(aclrtGetSocName(), nullptr);
}

TEST_F(FaultTest, WhatCannotBeFaulted) {
  EXPECT_EQ(aclsimInjectFault("aclGetRecentErrMsg", 1, 100000), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclsimInjectFault("aclsimStatsJson", 1, 100000), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclsimInjectFault("aclrtNoSuchThing", 1, 100000), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclsimInjectFault(nullptr, 1, 100000), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclsimInjectFault("aclrtMalloc", 1, 0), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(TakeError().find("aclsimInjectFault: "), std::string::npos);
}

TEST_F(FaultTest, AFaultOnAclInitFailsItBeforeAnythingElse) {
  ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
  ASSERT_EQ(aclsimInjectFault("aclInit", 1, acl::ACL_ERROR_INVALID_FILE), ACL_SUCCESS);
  EXPECT_EQ(aclInit(nullptr), acl::ACL_ERROR_INVALID_FILE);
  uint32_t count = 0;
  EXPECT_EQ(aclrtGetDeviceCount(&count), ACL_SUCCESS);
  EXPECT_EQ(aclrtSetDevice(0), acl::ACL_ERROR_UNINITIALIZE);
  TakeError();
  EXPECT_EQ(aclInit(nullptr), ACL_SUCCESS);
}

TEST_F(FaultTest, ADeviceFatalFaultLosesTheDeviceUntilItIsReset) {
  void *p = nullptr, *h = nullptr;
  aclrtStream stream = nullptr;
  ASSERT_EQ(aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  ASSERT_EQ(aclrtMallocHost(&h, 64), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  ASSERT_EQ(aclsimInjectFault("aclrtMemcpy", 1, acl::ACL_ERROR_RT_DRV_INTERNAL_ERROR), ACL_SUCCESS);
  EXPECT_EQ(aclrtMemcpy(p, 64, h, 64, ACL_MEMCPY_HOST_TO_DEVICE), acl::ACL_ERROR_RT_DRV_INTERNAL_ERROR);
  TakeError();
  EXPECT_EQ(StatField("lost", 0), 1);

  void *q = nullptr;
  EXPECT_EQ(aclrtMalloc(&q, 64, ACL_MEM_MALLOC_HUGE_FIRST), acl::ACL_ERROR_RT_DRV_INTERNAL_ERROR);
  std::string message = TakeError();
  EXPECT_NE(message.find("aclrtMalloc: device 0 is lost after injected fault 507899"), std::string::npos) << message;
  EXPECT_EQ(aclrtMemcpy(p, 64, h, 64, ACL_MEMCPY_HOST_TO_DEVICE), acl::ACL_ERROR_RT_DRV_INTERNAL_ERROR);
  EXPECT_EQ(aclrtMemsetAsync(p, 64, 0, 64, stream), acl::ACL_ERROR_RT_DRV_INTERNAL_ERROR);
  EXPECT_EQ(aclrtSynchronizeStream(stream), acl::ACL_ERROR_RT_DRV_INTERNAL_ERROR);
  EXPECT_EQ(aclrtSetDevice(0), acl::ACL_ERROR_RT_DRV_INTERNAL_ERROR);
  int32_t device;
  EXPECT_EQ(aclrtGetDevice(&device), acl::ACL_ERROR_RT_DRV_INTERNAL_ERROR);
  TakeError();
  // Releasing still works: that is how a user cleans up after a fault.
  EXPECT_EQ(aclrtFree(p), ACL_SUCCESS);
  EXPECT_EQ(aclrtDestroyStream(stream), ACL_SUCCESS);

  EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
  EXPECT_EQ(StatField("lost", 0), 0);
  SetDevice(0);
  EXPECT_EQ(aclrtMalloc(&q, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  EXPECT_EQ(aclrtMemcpy(q, 64, h = nullptr, 0, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
}

TEST_F(FaultTest, ALostDeviceStaysLostUntilItsLastReference) {
  SetDevice(0);  // reference count 2
  ASSERT_EQ(aclsimInjectFault("aclrtGetMemInfo", 1, acl::ACL_ERROR_RT_AICORE_EXCEPTION), ACL_SUCCESS);
  size_t free_bytes, total;
  EXPECT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &free_bytes, &total), acl::ACL_ERROR_RT_AICORE_EXCEPTION);
  EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
  EXPECT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &free_bytes, &total), acl::ACL_ERROR_RT_AICORE_EXCEPTION)
      << "one reference left: still lost";
  EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
  SetDevice(0);
  EXPECT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &free_bytes, &total), ACL_SUCCESS);
  TakeError();
}

TEST_F(FaultTest, LosingADeviceReleasesItsQueuedWork) {
  aclrtStream stream = nullptr;
  aclrtEvent event = nullptr;
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateEvent(&event), ACL_SUCCESS);
  {
    StreamGate gate(stream);
    ASSERT_EQ(aclrtRecordEvent(event, stream), ACL_SUCCESS);
    ASSERT_EQ(aclsimInjectFault("aclrtStreamQuery", 1, acl::ACL_ERROR_RT_LOST_HEARTBEAT), ACL_SUCCESS);
    aclrtStreamStatus status;
    EXPECT_EQ(aclrtStreamQuery(stream, &status), acl::ACL_ERROR_RT_LOST_HEARTBEAT);
    // Nothing hangs: the gated work was dropped, and waits report the fault.
    EXPECT_EQ(aclrtSynchronizeStream(stream), acl::ACL_ERROR_RT_LOST_HEARTBEAT);
    EXPECT_EQ(aclrtSynchronizeDevice(), acl::ACL_ERROR_RT_LOST_HEARTBEAT);
    EXPECT_FALSE(gate.opened());
    TakeError();
  }
  EXPECT_EQ(aclrtResetDeviceForce(0), ACL_SUCCESS);
  EXPECT_EQ(StatField("lost", 0), 0);
  EXPECT_EQ(StatField("streams"), 0);
  SetDevice(0);
  EXPECT_EQ(aclrtSynchronizeDevice(), ACL_SUCCESS);
}

class FaultOptionTest : public SimTest {
 protected:
  OptionList Options() const override { return {{"faults", "aclrtMalloc:1:207001,aclrtCreateEvent:*:207007"}}; }
};

TEST_F(FaultOptionTest, TheFaultsOptionRegistersRulesAtInit) {
  SetDevice(0);
  void *p = nullptr;
  aclrtEvent event = nullptr;
  EXPECT_EQ(aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST), acl::ACL_ERROR_RT_MEMORY_ALLOCATION);
  EXPECT_EQ(aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  EXPECT_EQ(aclrtCreateEvent(&event), acl::ACL_ERROR_RT_NO_EVENT_RESOURCE);
  EXPECT_EQ(aclrtCreateEvent(&event), acl::ACL_ERROR_RT_NO_EVENT_RESOURCE);
  TakeError();
  char value[128];
  ASSERT_EQ(aclsimGetOption("faults", value, sizeof(value)), ACL_SUCCESS);
  EXPECT_STREQ(value, "aclrtMalloc:1:207001,aclrtCreateEvent:*:207007");
}

TEST(FaultEnvironmentTest, TheEnvironmentVariableWorksLikeTheOption) {
  ResetOptions();
  aclsimClearFaults();
  aclsimSetOption("memoryBytes", "64MiB");
  setenv("ASCENDCL_SIM_FAULTS", "aclrtSetDevice:2:507033", 1);
  ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
  EXPECT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
  EXPECT_EQ(aclrtSetDevice(0), acl::ACL_ERROR_RT_DEV_SETUP_ERROR);
  // 507033 is device-fatal: device 0 (current since the first call) is lost until reset.
  EXPECT_EQ(aclrtSetDevice(0), acl::ACL_ERROR_RT_DEV_SETUP_ERROR);
  EXPECT_NE(TakeError().find("device 0 is lost"), std::string::npos);
  EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
  EXPECT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
  unsetenv("ASCENDCL_SIM_FAULTS");
  aclFinalize();
  aclsimClearFaults();
  ResetOptions();
}

}  // namespace
