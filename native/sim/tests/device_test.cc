// Devices and contexts (reference §5.2): per-thread current context, reference-counted default
// contexts, explicit contexts, reset, synchronize, memory info.
#include <string>
#include <thread>

#include "sim_test.h"

using namespace simtest;

namespace {

class DeviceTest : public SimTest {
 protected:
  OptionList Options() const override { return {{"devices", "2"}, {"memoryBytes", "64MiB"}}; }
};

TEST_F(DeviceTest, SetDeviceBindsTheThreadToTheDefaultContext) {
  int32_t device = -1;
  EXPECT_EQ(aclrtGetDevice(&device), acl::ACL_ERROR_RT_CONTEXT_NULL);
  EXPECT_NE(TakeError().find("aclrtGetDevice: the calling thread"), std::string::npos);
  SetDevice(1);
  EXPECT_EQ(aclrtGetDevice(&device), ACL_SUCCESS);
  EXPECT_EQ(device, 1);
  aclrtContext first = nullptr, second = nullptr;
  ASSERT_EQ(aclrtGetCurrentContext(&first), ACL_SUCCESS);
  ASSERT_NE(first, nullptr);
  std::thread([&] {
    ASSERT_EQ(aclrtSetDevice(1), ACL_SUCCESS);
    aclrtGetCurrentContext(&second);
  }).join();
  EXPECT_EQ(first, second) << "every thread that sets a device shares its default context";
  EXPECT_EQ(StatField("refCount", 1), 2);
  EXPECT_EQ(aclrtSetDevice(2), acl::ACL_ERROR_RT_INVALID_DEVICEID);
  EXPECT_NE(TakeError().find("device id 2 is out of range"), std::string::npos);
  EXPECT_EQ(aclrtSetDevice(-1), acl::ACL_ERROR_RT_INVALID_DEVICEID);
  EXPECT_EQ(aclrtGetDevice(nullptr), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();
}

TEST_F(DeviceTest, AFreshThreadHasNoContext) {
  SetDevice(0);
  std::thread([] {
    int32_t device = 0;
    void *p = nullptr;
    aclrtStream stream = nullptr;
    aclrtEvent event = nullptr;
    aclrtContext context = nullptr;
    size_t free_bytes = 0, total = 0;
    EXPECT_EQ(aclrtGetDevice(&device), acl::ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtGetCurrentContext(&context), acl::ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST), acl::ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtMallocHost(&p, 64), acl::ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtCreateStream(&stream), acl::ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtCreateEvent(&event), acl::ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtSynchronizeStream(nullptr), acl::ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtSynchronizeDevice(), acl::ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &free_bytes, &total), acl::ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtMemset(&device, 4, 0, 4), acl::ACL_ERROR_RT_CONTEXT_NULL);
    std::string messages = TakeError();
    EXPECT_NE(messages.find("aclrtMalloc: the calling thread"), std::string::npos) << messages;
    // These need no context.
    uint32_t count = 0;
    aclrtRunMode mode;
    EXPECT_EQ(aclrtGetDeviceCount(&count), ACL_SUCCESS);
    EXPECT_EQ(aclrtGetRunMode(&mode), ACL_SUCCESS);
    EXPECT_NE(aclrtGetSocName(), nullptr);
  }).join();
}

TEST_F(DeviceTest, ResetDeviceIsReferenceCounted) {
  SetDevice(0);
  SetDevice(0);
  EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
  int32_t device = -1;
  EXPECT_EQ(aclrtGetDevice(&device), ACL_SUCCESS) << "one reference is left";
  EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
  EXPECT_EQ(aclrtGetDevice(&device), acl::ACL_ERROR_RT_CONTEXT_NULL) << "the default context was destroyed";
  EXPECT_EQ(aclrtResetDevice(0), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_NE(TakeError().find("reference count is 0"), std::string::npos);
  EXPECT_EQ(aclrtResetDevice(5), acl::ACL_ERROR_RT_INVALID_DEVICEID);
  EXPECT_EQ(aclrtResetDeviceForce(5), acl::ACL_ERROR_RT_INVALID_DEVICEID);
  TakeError();
  SetDevice(0);  // usable again
  void *p = nullptr;
  EXPECT_EQ(aclrtMalloc(&p, 16, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
}

TEST_F(DeviceTest, ResetReleasesEverythingOfTheDevice) {
  SetDevice(0);
  void *device_ptr = nullptr, *host_ptr = nullptr;
  aclrtStream stream = nullptr;
  aclrtEvent event = nullptr;
  ASSERT_EQ(aclrtMalloc(&device_ptr, 1000, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  ASSERT_EQ(aclrtMallocHost(&host_ptr, 1000), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateEvent(&event), ACL_SUCCESS);
  ASSERT_EQ(aclrtRecordEvent(event, stream), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemsetAsync(device_ptr, 1000, 7, 1000, stream), ACL_SUCCESS);
  EXPECT_EQ(StatField("allocations"), 1);
  EXPECT_EQ(StatField("hostAllocations"), 1);
  EXPECT_EQ(StatField("streams"), 1);
  EXPECT_EQ(StatField("events"), 1);

  ASSERT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
  EXPECT_EQ(StatField("allocations"), 0);
  EXPECT_EQ(StatField("hostAllocations"), 0);
  EXPECT_EQ(StatField("streams"), 0);
  EXPECT_EQ(StatField("events"), 0);
  EXPECT_EQ(StatField("deviceBytesConsumed", 0), 0);
  SetDevice(0);
  EXPECT_EQ(aclrtDestroyStream(stream), acl::ACL_ERROR_RT_INVALID_HANDLE);
  EXPECT_EQ(aclrtDestroyEvent(event), acl::ACL_ERROR_RT_INVALID_HANDLE);
  EXPECT_EQ(aclrtFree(device_ptr), acl::ACL_ERROR_RT_PARAM_INVALID);
  std::string message = TakeError();
  EXPECT_NE(message.find("double free of allocation #"), std::string::npos) << message;
  EXPECT_NE(message.find("freed by aclrtResetDevice"), std::string::npos) << message;
  EXPECT_EQ(aclrtFreeHost(host_ptr), acl::ACL_ERROR_RT_PARAM_INVALID);
  TakeError();
}

TEST_F(DeviceTest, ResetDeviceForceIgnoresTheReferenceCount) {
  SetDevice(0);
  SetDevice(0);
  SetDevice(0);
  aclrtStream stream = nullptr;
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  EXPECT_EQ(aclrtResetDeviceForce(0), ACL_SUCCESS);
  EXPECT_EQ(StatField("refCount", 0), 0);
  EXPECT_EQ(StatField("streams"), 0);
  int32_t device;
  EXPECT_EQ(aclrtGetDevice(&device), acl::ACL_ERROR_RT_CONTEXT_NULL);
  EXPECT_EQ(aclrtResetDeviceForce(0), ACL_SUCCESS) << "nothing to release is fine";
  TakeError();
}

TEST_F(DeviceTest, ExplicitContexts) {
  aclrtContext context = nullptr;
  EXPECT_EQ(aclrtCreateContext(nullptr, 0), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtCreateContext(&context, 2), acl::ACL_ERROR_RT_INVALID_DEVICEID);
  ASSERT_EQ(aclrtCreateContext(&context, 1), ACL_SUCCESS);
  aclrtContext current = nullptr;
  ASSERT_EQ(aclrtGetCurrentContext(&current), ACL_SUCCESS);
  EXPECT_EQ(current, context) << "a created context becomes current";
  int32_t device = -1;
  EXPECT_EQ(aclrtGetDevice(&device), ACL_SUCCESS);
  EXPECT_EQ(device, 1);
  EXPECT_EQ(StatField("contexts"), 1);

  // The context has its own default stream: NULL-stream work runs there.
  void *p = nullptr;
  ASSERT_EQ(aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  EXPECT_EQ(aclrtMemsetAsync(p, 64, 1, 64, nullptr), ACL_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeStream(nullptr), ACL_SUCCESS);

  // Another thread may use it.
  std::thread([&] {
    EXPECT_EQ(aclrtSetCurrentContext(context), ACL_SUCCESS);
    int32_t d = -1;
    EXPECT_EQ(aclrtGetDevice(&d), ACL_SUCCESS);
    EXPECT_EQ(d, 1);
  }).join();

  EXPECT_EQ(aclrtDestroyContext(nullptr), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtSetCurrentContext(nullptr), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtDestroyContext(context), ACL_SUCCESS);
  EXPECT_EQ(aclrtGetCurrentContext(&current), acl::ACL_ERROR_RT_CONTEXT_NULL);
  EXPECT_EQ(aclrtDestroyContext(context), acl::ACL_ERROR_RT_INVALID_HANDLE);
  EXPECT_EQ(aclrtSetCurrentContext(context), acl::ACL_ERROR_RT_INVALID_HANDLE);
  EXPECT_EQ(StatField("contexts"), 0);
  TakeError();
}

TEST_F(DeviceTest, DefaultContextCannotBeDestroyed) {
  SetDevice(0);
  aclrtContext context = nullptr;
  ASSERT_EQ(aclrtGetCurrentContext(&context), ACL_SUCCESS);
  EXPECT_EQ(aclrtDestroyContext(context), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_NE(TakeError().find("use aclrtResetDevice"), std::string::npos);
}

TEST_F(DeviceTest, DestroyingAContextDestroysItsStreamsAndEventsAfterTheirWork) {
  aclrtContext context = nullptr;
  ASSERT_EQ(aclrtCreateContext(&context, 0), ACL_SUCCESS);
  aclrtStream stream = nullptr;
  aclrtEvent event = nullptr;
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateEvent(&event), ACL_SUCCESS);
  void *p = nullptr;
  ASSERT_EQ(aclrtMalloc(&p, 4096, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  std::atomic<int> calls{0};
  {
    CallbackThread server({stream});
    auto slow = [](void *arg) {
      // Makes the stream's work take time; destroy must wait for it.
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      static_cast<std::atomic<int> *>(arg)->fetch_add(1);
    };
    ASSERT_EQ(aclrtLaunchCallback(slow, &calls, ACL_CALLBACK_BLOCK, stream), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(event, stream), ACL_SUCCESS);
    ASSERT_EQ(aclrtDestroyContext(context), ACL_SUCCESS);
    EXPECT_EQ(calls.load(), 1) << "the context's stream work finished before the destroy returned";
  }
  EXPECT_EQ(StatField("streams"), 0);
  EXPECT_EQ(StatField("events"), 0);
  EXPECT_EQ(StatField("allocations"), 1) << "allocations belong to the device, not the context";
  SetDevice(0);
  EXPECT_EQ(aclrtFree(p), ACL_SUCCESS);
}

TEST_F(DeviceTest, SwitchingContextSwitchesDevice) {
  aclrtContext on1 = nullptr;
  ASSERT_EQ(aclrtCreateContext(&on1, 1), ACL_SUCCESS);
  SetDevice(0);
  int32_t device = -1;
  ASSERT_EQ(aclrtGetDevice(&device), ACL_SUCCESS);
  EXPECT_EQ(device, 0);
  ASSERT_EQ(aclrtSetCurrentContext(on1), ACL_SUCCESS);
  ASSERT_EQ(aclrtGetDevice(&device), ACL_SUCCESS);
  EXPECT_EQ(device, 1);
  EXPECT_EQ(aclrtDestroyContext(on1), ACL_SUCCESS);
}

TEST_F(DeviceTest, MemInfoReportsCapacityAndConsumption) {
  SetDevice(0);
  size_t free_bytes = 0, total = 0;
  ASSERT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &free_bytes, &total), ACL_SUCCESS);
  EXPECT_EQ(total, 64u << 20);
  EXPECT_EQ(free_bytes, total);
  void *p = nullptr;
  ASSERT_EQ(aclrtMalloc(&p, 100, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  ASSERT_EQ(MemInfoRawAttr(17, &free_bytes, &total), ACL_SUCCESS) << "any attribute";
  EXPECT_EQ(total - free_bytes, 160u) << "align32(100) + 32";
  EXPECT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, nullptr, &total), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();
}

TEST_F(DeviceTest, SocNameAndRunMode) {
  EXPECT_STREQ(aclrtGetSocName(), "Ascend910B4");
  aclrtRunMode mode = ACL_DEVICE;
  EXPECT_EQ(aclrtGetRunMode(&mode), ACL_SUCCESS);
  EXPECT_EQ(mode, ACL_HOST);
}

TEST_F(DeviceTest, SynchronizeDeviceWaitsForEveryStreamAndHonoursTimeouts) {
  SetDevice(0);
  aclrtStream a = nullptr, b = nullptr;
  ASSERT_EQ(aclrtCreateStream(&a), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateStream(&b), ACL_SUCCESS);
  void *p = nullptr;
  ASSERT_EQ(aclrtMalloc(&p, 256, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeDeviceWithTimeout(0), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_EQ(aclrtSynchronizeDeviceWithTimeout(-2), acl::ACL_ERROR_RT_PARAM_INVALID);
  TakeError();
  {
    StreamGate gate(a);
    ASSERT_EQ(aclrtMemsetAsync(p, 256, 0x5A, 256, a), ACL_SUCCESS);
    void *q = nullptr;  // b works on other memory: two unordered streams may not share it
    ASSERT_EQ(aclrtMalloc(&q, 128, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(q, 128, 0x11, 128, b), ACL_SUCCESS);
    EXPECT_EQ(aclrtSynchronizeDeviceWithTimeout(20), acl::ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
    EXPECT_NE(TakeError().find("did not finish its work within 20 ms"), std::string::npos);
    gate.Release();
    EXPECT_EQ(aclrtSynchronizeDevice(), ACL_SUCCESS);
    EXPECT_EQ(aclrtSynchronizeDeviceWithTimeout(-1), ACL_SUCCESS);
  }
  unsigned char out[256];
  ASSERT_EQ(aclrtMemcpy(out, sizeof(out), p, 256, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
  EXPECT_EQ(out[255], 0x5A);
}

}  // namespace
