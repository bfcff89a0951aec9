// aclrtMemcpy(Async) and aclrtMemset(Async) (reference §5.3, §5.10 item 4; api.md error table),
// in strict and non-strict mode.
#include <cstring>
#include <string>
#include <vector>

#include "sim_test.h"

using namespace simtest;

namespace {

class CopyTest : public SimTest {
 protected:
  OptionList Options() const override { return {{"devices", "2"}}; }
  void SetUp() override {
    SimTest::SetUp();
    SetDevice(0);
    ASSERT_EQ(aclrtMalloc(&dev_, 100, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&dev2_, 100, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMallocHost(&pinned_, 256), ACL_SUCCESS);
  }
  void *dev_ = nullptr;
  void *dev2_ = nullptr;
  void *pinned_ = nullptr;
  unsigned char host_[256] = {};
};

class NonStrictCopyTest : public CopyTest {
 protected:
  OptionList Options() const override { return {{"devices", "2"}, {"strict", "0"}}; }
};

TEST_F(CopyTest, RoundTripThroughDeviceMemory) {
  for (int i = 0; i < 100; ++i) host_[i] = static_cast<unsigned char>(i);
  ASSERT_EQ(aclrtMemcpy(dev_, 100, host_, 100, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemcpy(dev2_, 100, dev_, 100, ACL_MEMCPY_DEVICE_TO_DEVICE), ACL_SUCCESS);
  unsigned char out[100] = {};
  ASSERT_EQ(aclrtMemcpy(out, sizeof(out), dev2_, 100, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
  EXPECT_EQ(std::memcmp(out, host_, 100), 0);
  // Kind 5 is host-to-device; DEFAULT infers; H2H works between host pointers.
  ASSERT_EQ(aclrtMemcpy(dev_, 100, pinned_, 50, ACL_MEMCPY_HOST_TO_BUF_TO_DEVICE), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemcpy(out, 100, dev_, 100, ACL_MEMCPY_DEFAULT), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemcpy(out, 100, host_, 100, ACL_MEMCPY_HOST_TO_HOST), ACL_SUCCESS);
}

TEST_F(CopyTest, OverlappingCopyWithinOneAllocationIsAMove) {
  for (int i = 0; i < 100; ++i) host_[i] = static_cast<unsigned char>(i);
  ASSERT_EQ(aclrtMemcpy(dev_, 100, host_, 100, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
  char *d = static_cast<char *>(dev_);
  ASSERT_EQ(aclrtMemcpy(d + 10, 90, d, 80, ACL_MEMCPY_DEVICE_TO_DEVICE), ACL_SUCCESS);
  unsigned char out[100];
  ASSERT_EQ(aclrtMemcpy(out, 100, dev_, 100, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
  for (int i = 0; i < 80; ++i) ASSERT_EQ(out[10 + i], i);
}

TEST_F(CopyTest, ArgumentChecksInRuntimeOrder) {
  EXPECT_EQ(MemcpyRawKind(nullptr, 0, nullptr, 0, 42), ACL_SUCCESS) << "count 0 first";
  EXPECT_EQ(aclrtMemcpy(nullptr, 8, host_, 8, ACL_MEMCPY_HOST_TO_DEVICE), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtMemcpy(dev_, 8, nullptr, 8, ACL_MEMCPY_HOST_TO_DEVICE), acl::ACL_ERROR_INVALID_PARAM);
  for (int kind : {6, 7, -1, 99}) {
    EXPECT_EQ(MemcpyRawKind(dev_, 8, host_, 8, kind), acl::ACL_ERROR_INVALID_PARAM) << kind;
  }
  EXPECT_EQ(aclrtMemcpy(dev_, 0, host_, 8, ACL_MEMCPY_HOST_TO_DEVICE), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_EQ(aclrtMemcpy(dev_, 8, host_, 9, ACL_MEMCPY_HOST_TO_DEVICE), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_NE(TakeError().find("count 9 exceeds destMax 8"), std::string::npos);
  EXPECT_EQ(aclrtMemcpy(dev_, 8, dev_, 8, ACL_MEMCPY_HOST_TO_HOST), ACL_SUCCESS) << "dst == src copies nothing";
  std::thread([&] {
    EXPECT_EQ(aclrtMemcpy(dev_, 8, host_, 8, ACL_MEMCPY_HOST_TO_DEVICE), acl::ACL_ERROR_RT_CONTEXT_NULL);
  }).join();
  TakeError();
}

TEST_F(CopyTest, StrictBoundsAreTheRequestedSize) {
  EXPECT_EQ(aclrtMemcpy(dev_, 200, host_, 101, ACL_MEMCPY_HOST_TO_DEVICE), acl::ACL_ERROR_RT_PARAM_INVALID);
  std::string message = TakeError();
  EXPECT_NE(message.find("offset 0 + count 101 exceeds the 100 bytes of device allocation #"), std::string::npos)
      << message;
  char *d = static_cast<char *>(dev_);
  EXPECT_EQ(aclrtMemcpy(host_, 200, d + 50, 60, ACL_MEMCPY_DEVICE_TO_HOST), acl::ACL_ERROR_RT_PARAM_INVALID);
  message = TakeError();
  EXPECT_NE(message.find("source range"), std::string::npos) << message;
  EXPECT_NE(message.find("offset 50 + count 60"), std::string::npos) << message;
  EXPECT_EQ(aclrtMemcpy(host_, 200, d + 50, 50, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
  // Past the padding: not inside any allocation.
  EXPECT_EQ(aclrtMemcpy(host_, 8, d + 4096, 8, ACL_MEMCPY_DEVICE_TO_HOST), acl::ACL_ERROR_RT_PARAM_INVALID);
  message = TakeError();
  EXPECT_NE(message.find("outside every live allocation"), std::string::npos) << message;
  // Pinned host memory is bounds-checked too.
  EXPECT_EQ(aclrtMemcpy(dev_, 100, static_cast<char *>(pinned_) + 200, 60, ACL_MEMCPY_HOST_TO_DEVICE),
            acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_NE(TakeError().find("pinned host allocation #"), std::string::npos);
}

TEST_F(NonStrictCopyTest, NonStrictBoundsAreTheConsumedSize) {
  // 100 bytes consume align32(100) + 32 = 160.
  EXPECT_EQ(aclrtMemcpy(dev_, 256, host_, 160, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
  EXPECT_EQ(aclrtMemcpy(dev_, 256, host_, 161, ACL_MEMCPY_HOST_TO_DEVICE), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_NE(TakeError().find("160 padded bytes"), std::string::npos);
}

TEST_F(CopyTest, StrictKindMustMatchThePointers) {
  EXPECT_EQ(aclrtMemcpy(dev_, 100, dev2_, 100, ACL_MEMCPY_HOST_TO_DEVICE), acl::ACL_ERROR_RT_PARAM_INVALID);
  std::string message = TakeError();
  EXPECT_NE(message.find("kind ACL_MEMCPY_HOST_TO_DEVICE (1) does not match"), std::string::npos) << message;
  EXPECT_NE(message.find("the source is device allocation #"), std::string::npos) << message;
  EXPECT_EQ(aclrtMemcpy(host_, 100, dev_, 100, ACL_MEMCPY_HOST_TO_DEVICE), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_EQ(aclrtMemcpy(host_, 100, pinned_, 100, ACL_MEMCPY_DEVICE_TO_HOST), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_EQ(aclrtMemcpy(dev_, 100, host_, 100, ACL_MEMCPY_DEVICE_TO_DEVICE), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_EQ(aclrtMemcpy(dev_, 100, host_, 100, ACL_MEMCPY_HOST_TO_HOST), acl::ACL_ERROR_RT_PARAM_INVALID);
  TakeError();
  EXPECT_EQ(aclrtMemcpy(dev_, 100, host_, 100, ACL_MEMCPY_DEFAULT), ACL_SUCCESS);
}

TEST_F(NonStrictCopyTest, NonStrictInfersTheDirection) {
  host_[0] = 0x77;
  EXPECT_EQ(aclrtMemcpy(dev_, 100, host_, 100, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
  unsigned char out[100] = {};
  EXPECT_EQ(aclrtMemcpy(out, 100, dev_, 100, ACL_MEMCPY_HOST_TO_HOST), ACL_SUCCESS);
  EXPECT_EQ(out[0], 0x77);
}

TEST_F(CopyTest, CopiesBetweenDevicesAreNotSupported) {
  SetDevice(1);
  void *other = nullptr;
  ASSERT_EQ(aclrtMalloc(&other, 100, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  EXPECT_EQ(aclrtMemcpy(other, 100, dev_, 100, ACL_MEMCPY_DEVICE_TO_DEVICE), acl::ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
  EXPECT_NE(TakeError().find("copies between devices are not supported"), std::string::npos);
  // Host <-> another device's memory is fine.
  EXPECT_EQ(aclrtMemcpy(dev_, 100, host_, 100, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
}

TEST_F(CopyTest, MemsetIsAByteFill) {
  EXPECT_EQ(aclrtMemset(nullptr, 0, 0, 0), ACL_SUCCESS) << "count 0 first";
  EXPECT_EQ(aclrtMemset(nullptr, 8, 0, 8), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtMemset(dev_, 8, 0, 9), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_EQ(aclrtMemset(dev_, 200, 0, 101), acl::ACL_ERROR_RT_PARAM_INVALID);
  TakeError();
  ASSERT_EQ(aclrtMemset(dev_, 100, 0x1234, 100), ACL_SUCCESS);
  unsigned char out[100] = {};
  ASSERT_EQ(aclrtMemcpy(out, 100, dev_, 100, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
  EXPECT_EQ(out[0], 0x34);
  EXPECT_EQ(out[99], 0x34);
  ASSERT_EQ(aclrtMemset(pinned_, 256, 0xAB, 256), ACL_SUCCESS);
  EXPECT_EQ(static_cast<unsigned char *>(pinned_)[255], 0xAB);
  EXPECT_EQ(aclrtMemset(host_, 256, 1, 256), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_NE(TakeError().find("neither device memory nor pinned host memory"), std::string::npos);
}

TEST_F(NonStrictCopyTest, NonStrictMemsetAcceptsAnyHostMemory) {
  EXPECT_EQ(aclrtMemset(host_, 256, 9, 256), ACL_SUCCESS);
  EXPECT_EQ(host_[255], 9);
}

TEST_F(CopyTest, AsyncCopiesAndFillsRunOnTheStream) {
  aclrtStream stream = nullptr;
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  std::vector<unsigned char> pageable(100, 0x21);
  ASSERT_EQ(aclrtMemcpyAsync(dev_, 100, pageable.data(), 100, ACL_MEMCPY_HOST_TO_DEVICE, stream), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemsetAsync(dev2_, 100, 0x44, 50, stream), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemcpyAsync(pinned_, 256, dev_, 100, ACL_MEMCPY_DEVICE_TO_HOST, stream), ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeStream(stream), ACL_SUCCESS);
  EXPECT_EQ(static_cast<unsigned char *>(pinned_)[99], 0x21);
  // NULL stream = the current context's default stream.
  ASSERT_EQ(aclrtMemcpyAsync(pinned_, 256, dev2_, 50, ACL_MEMCPY_DEVICE_TO_HOST, nullptr), ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeStream(nullptr), ACL_SUCCESS);
  EXPECT_EQ(static_cast<unsigned char *>(pinned_)[49], 0x44);
  EXPECT_EQ(aclrtDestroyStream(stream), ACL_SUCCESS);
}

TEST_F(CopyTest, AsyncSpecificErrors) {
  EXPECT_EQ(aclrtMemcpyAsync(host_, 100, pinned_, 100, ACL_MEMCPY_HOST_TO_HOST, nullptr),
            acl::ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
  EXPECT_NE(TakeError().find("asynchronous host-to-host copies are not supported"), std::string::npos);
  EXPECT_EQ(aclrtMemcpyAsync(host_, 100, pinned_, 100, ACL_MEMCPY_DEFAULT, nullptr),
            acl::ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
  EXPECT_EQ(aclrtMemcpyAsync(dev_, 100, host_, 101, ACL_MEMCPY_HOST_TO_DEVICE, nullptr), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_EQ(aclrtMemsetAsync(dev_, 100, 0, 101, nullptr), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_EQ(MemcpyAsyncRawKind(dev_, 100, host_, 100, 7, nullptr), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtMemcpyAsync(dev_, 100, host_, 100, ACL_MEMCPY_HOST_TO_DEVICE, reinterpret_cast<aclrtStream>(0x10)),
            acl::ACL_ERROR_RT_INVALID_HANDLE);
  TakeError();
  // A stream of another device than the current context.
  SetDevice(1);
  aclrtStream other = nullptr;
  ASSERT_EQ(aclrtCreateStream(&other), ACL_SUCCESS);
  SetDevice(0);
  EXPECT_EQ(aclrtMemcpyAsync(dev_, 100, host_, 100, ACL_MEMCPY_HOST_TO_DEVICE, other), acl::ACL_ERROR_RT_STREAM_CONTEXT);
  EXPECT_EQ(aclrtMemsetAsync(dev_, 100, 0, 100, other), acl::ACL_ERROR_RT_STREAM_CONTEXT);
  EXPECT_NE(TakeError().find("belongs to device 1"), std::string::npos);
}

TEST_F(CopyTest, BlockingCopiesDoNotWaitForQueuedWork) {
  aclrtStream stream = nullptr;
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemset(dev_, 100, 0x11, 100), ACL_SUCCESS);
  unsigned char out[100] = {};
  {
    StreamGate gate(stream);
    ASSERT_EQ(aclrtMemsetAsync(dev_, 100, 0xAA, 100, stream), ACL_SUCCESS);
    // On hardware a blocking copy does not order after queued work and would read stale bytes;
    // the strict simulator reports that hazard instead (hazard_test.cc has the details).
    EXPECT_EQ(aclrtMemcpy(out, 100, dev_, 100, ACL_MEMCPY_DEVICE_TO_HOST), acl::ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_NE(TakeError().find("hazard"), std::string::npos);
    gate.Release();
    ASSERT_EQ(aclrtSynchronizeStream(stream), ACL_SUCCESS);
  }
  ASSERT_EQ(aclrtMemcpy(out, 100, dev_, 100, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
  EXPECT_EQ(out[0], 0xAA);
}

}  // namespace
