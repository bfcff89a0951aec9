// Device and pinned host allocation (reference §5.3, api.md Memory): arguments, capacity
// arithmetic, the free rules and their messages, strict and non-strict frees with queued work.
#include <csignal>
#include <cstring>
#include <string>
#include <thread>

#include "sim_test.h"

using namespace simtest;

namespace {

class MemoryTest : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    SetDevice(0);
  }
};

class SmallMemoryTest : public MemoryTest {
 protected:
  OptionList Options() const override { return {{"memoryBytes", "4096"}}; }
};

class NonStrictMemoryTest : public MemoryTest {
 protected:
  OptionList Options() const override { return {{"strict", "0"}}; }
};

TEST_F(MemoryTest, MallocArguments) {
  void *p = nullptr;
  EXPECT_EQ(aclrtMalloc(nullptr, 16, ACL_MEM_MALLOC_HUGE_FIRST), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtMalloc(&p, 0, ACL_MEM_MALLOC_HUGE_FIRST), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(TakeError().find("aclrtMalloc: size must be positive"), std::string::npos);
  for (int policy : {0, 1, 2, 3, 4, 5, 6, 7, 0x100, 0x1000, 999}) {
    ASSERT_EQ(MallocRawPolicy(&p, 100, policy), ACL_SUCCESS) << policy;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
    EXPECT_EQ(aclrtFree(p), ACL_SUCCESS);
  }
}

TEST_F(MemoryTest, AddressesAreNotReusedRightAfterAFree) {
  void *first = nullptr, *second = nullptr, *third = nullptr;
  ASSERT_EQ(aclrtMalloc(&first, 256, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  ASSERT_EQ(aclrtFree(first), ACL_SUCCESS);
  ASSERT_EQ(aclrtMalloc(&second, 256, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  ASSERT_EQ(aclrtMalloc(&third, 256, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  EXPECT_NE(first, second);
  EXPECT_NE(first, third);
  // A stale pointer names the freed allocation.
  char host[16] = {};
  EXPECT_EQ(aclrtMemcpy(first, 16, host, 16, ACL_MEMCPY_HOST_TO_DEVICE), acl::ACL_ERROR_RT_PARAM_INVALID);
  std::string message = TakeError();
  EXPECT_NE(message.find("use after free of allocation #"), std::string::npos) << message;
  EXPECT_NE(message.find("freed by aclrtFree"), std::string::npos) << message;
}

TEST_F(MemoryTest, HostCodeCannotTouchDeviceMemory) {
  void *p = nullptr;
  ASSERT_EQ(aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // Dies of the SIGSEGV itself. SIG_DFL first: under AddressSanitizer the sanitizer's own SEGV
  // handler would otherwise turn the expected fault into a report (and an exit code of 1).
  EXPECT_EXIT(
      {
        std::signal(SIGSEGV, SIG_DFL);
        *static_cast<volatile char *>(p) = 1;
      },
      testing::KilledBySignal(SIGSEGV), "");
}

TEST_F(SmallMemoryTest, CapacityIsChargedAlign32PlusPadding) {
  size_t free_bytes = 0, total = 0;
  ASSERT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &free_bytes, &total), ACL_SUCCESS);
  ASSERT_EQ(total, 4096u);
  void *a = nullptr, *b = nullptr, *c = nullptr;
  ASSERT_EQ(aclrtMalloc(&a, 1, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);  // 32 + 32
  ASSERT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &free_bytes, &total), ACL_SUCCESS);
  EXPECT_EQ(free_bytes, 4096u - 64);
  ASSERT_EQ(aclrtMalloc(&b, 4000, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);  // 4000 + 32 = 4032
  ASSERT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &free_bytes, &total), ACL_SUCCESS);
  EXPECT_EQ(free_bytes, 0u);
  EXPECT_EQ(StatField("deviceBytes"), 4001);
  EXPECT_EQ(StatField("deviceBytesConsumed"), 4096);

  EXPECT_EQ(aclrtMalloc(&c, 1, ACL_MEM_MALLOC_HUGE_FIRST), acl::ACL_ERROR_RT_MEMORY_ALLOCATION);
  std::string message = TakeError();
  EXPECT_NE(message.find("requested 1 bytes (consumes 64"), std::string::npos) << message;
  EXPECT_NE(message.find("4096 of 4096 bytes consumed, 0 free"), std::string::npos) << message;

  ASSERT_EQ(aclrtFree(a), ACL_SUCCESS);
  ASSERT_EQ(aclrtMalloc(&c, 32, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS) << "32 + 32 fits the 64 bytes freed";
  EXPECT_EQ(aclrtMalloc(&a, 1, ACL_MEM_MALLOC_HUGE_FIRST), acl::ACL_ERROR_RT_MEMORY_ALLOCATION);
  EXPECT_EQ(aclrtMalloc(&a, SIZE_MAX, ACL_MEM_MALLOC_HUGE_FIRST), acl::ACL_ERROR_RT_MEMORY_ALLOCATION);
  TakeError();
  ASSERT_EQ(aclrtFree(b), ACL_SUCCESS);
  ASSERT_EQ(aclrtFree(c), ACL_SUCCESS);
  ASSERT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &free_bytes, &total), ACL_SUCCESS);
  EXPECT_EQ(free_bytes, 4096u);
}

TEST_F(MemoryTest, LargeAllocationsCostNothingUntilTouched) {
  void *p = nullptr;
  ASSERT_EQ(aclrtMalloc(&p, 768u << 20, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  EXPECT_EQ(aclrtMemset(static_cast<char *>(p) + (700u << 20), 4096, 0xEE, 4096), ACL_SUCCESS);
  EXPECT_EQ(aclrtFree(p), ACL_SUCCESS);
  EXPECT_EQ(aclrtMalloc(&p, 1u << 30, ACL_MEM_MALLOC_HUGE_FIRST), acl::ACL_ERROR_RT_MEMORY_ALLOCATION)
      << "1 GiB + 32 bytes of padding exceeds a 1 GiB device";
  TakeError();
}

TEST_F(MemoryTest, FreeNamesWhatIsWrong) {
  EXPECT_EQ(aclrtFree(nullptr), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();
  void *p = nullptr;
  ASSERT_EQ(aclrtMalloc(&p, 256, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  char *bytes = static_cast<char *>(p);

  EXPECT_EQ(aclrtFree(bytes + 16), acl::ACL_ERROR_RT_PARAM_INVALID);
  std::string message = TakeError();
  EXPECT_NE(message.find("aclrtFree: "), std::string::npos) << message;
  EXPECT_NE(message.find("at offset 16, not at its start"), std::string::npos) << message;

  EXPECT_EQ(aclrtFree(bytes + (64u << 20)), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_NE(TakeError().find("was never allocated"), std::string::npos);

  int on_stack = 0;
  EXPECT_EQ(aclrtFree(&on_stack), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_NE(TakeError().find("is not device memory"), std::string::npos);

  ASSERT_EQ(aclrtFree(p), ACL_SUCCESS);
  EXPECT_EQ(aclrtFree(p), acl::ACL_ERROR_RT_PARAM_INVALID);
  message = TakeError();
  EXPECT_NE(message.find("double free of allocation #"), std::string::npos) << message;
  EXPECT_NE(message.find("256 bytes"), std::string::npos) << message;
}

TEST_F(MemoryTest, FreeNeedsNoContext) {
  void *p = nullptr;
  ASSERT_EQ(aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  void *h = nullptr;
  ASSERT_EQ(aclrtMallocHost(&h, 64), ACL_SUCCESS);
  std::thread([&] {
    EXPECT_EQ(aclrtFree(p), ACL_SUCCESS);
    EXPECT_EQ(aclrtFreeHost(h), ACL_SUCCESS);
  }).join();
}

TEST_F(MemoryTest, PinnedHostMemory) {
  void *h = nullptr;
  EXPECT_EQ(aclrtMallocHost(nullptr, 64), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtMallocHost(&h, 0), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtFreeHost(nullptr), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();
  ASSERT_EQ(aclrtMallocHost(&h, 1000), ACL_SUCCESS);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(h) % 64, 0u);
  std::memset(h, 0x42, 1000);  // real host memory
  EXPECT_EQ(StatField("hostAllocations"), 1);
  EXPECT_EQ(StatField("hostBytes"), 1000);

  void *big = nullptr;
  ASSERT_EQ(aclrtMallocHost(&big, 8u << 20), ACL_SUCCESS);
  static_cast<char *>(big)[(8u << 20) - 1] = 1;
  EXPECT_EQ(aclrtFreeHost(big), ACL_SUCCESS);

  EXPECT_EQ(aclrtFree(h), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_NE(TakeError().find("free it with aclrtFreeHost"), std::string::npos);
  void *d = nullptr;
  ASSERT_EQ(aclrtMalloc(&d, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  EXPECT_EQ(aclrtFreeHost(d), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_NE(TakeError().find("free it with aclrtFree"), std::string::npos);
  EXPECT_EQ(aclrtFreeHost(static_cast<char *>(h) + 8), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_NE(TakeError().find("at offset 8"), std::string::npos);
  int on_stack = 0;
  EXPECT_EQ(aclrtFreeHost(&on_stack), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_NE(TakeError().find("never allocated"), std::string::npos);
  ASSERT_EQ(aclrtFreeHost(h), ACL_SUCCESS);
  EXPECT_EQ(aclrtFreeHost(h), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_NE(TakeError().find("double free"), std::string::npos);
  EXPECT_EQ(StatField("hostAllocations"), 0);
}

TEST_F(MemoryTest, StrictFreeRefusesMemoryQueuedWorkStillUses) {
  aclrtStream stream = nullptr;
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  void *p = nullptr, *h = nullptr;
  ASSERT_EQ(aclrtMalloc(&p, 512, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  ASSERT_EQ(aclrtMallocHost(&h, 512), ACL_SUCCESS);
  {
    StreamGate gate(stream);
    ASSERT_EQ(aclrtMemcpyAsync(p, 512, h, 512, ACL_MEMCPY_HOST_TO_DEVICE, stream), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(p), acl::ACL_ERROR_RT_PARAM_INVALID);
    std::string message = TakeError();
    EXPECT_NE(message.find("allocation #"), std::string::npos) << message;
    EXPECT_NE(message.find("queued aclrtMemcpyAsync"), std::string::npos) << message;
    EXPECT_NE(message.find("strict"), std::string::npos) << message;
    EXPECT_EQ(aclrtFreeHost(h), acl::ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_NE(TakeError().find("queued aclrtMemcpyAsync"), std::string::npos);
    gate.Release();
    ASSERT_EQ(aclrtSynchronizeStream(stream), ACL_SUCCESS);
  }
  EXPECT_EQ(aclrtFree(p), ACL_SUCCESS);
  EXPECT_EQ(aclrtFreeHost(h), ACL_SUCCESS);
}

TEST_F(NonStrictMemoryTest, FreeIsImmediateAndTheBytesOutliveQueuedWork) {
  aclrtStream stream = nullptr;
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  void *p = nullptr, *h = nullptr;
  ASSERT_EQ(aclrtMalloc(&p, 4096, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  ASSERT_EQ(aclrtMallocHost(&h, 4096), ACL_SUCCESS);
  std::memset(h, 0, 4096);
  ASSERT_EQ(aclrtMemset(p, 4096, 0x3C, 4096), ACL_SUCCESS);
  {
    StreamGate gate(stream);
    ASSERT_EQ(aclrtMemcpyAsync(h, 4096, p, 4096, ACL_MEMCPY_DEVICE_TO_HOST, stream), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(p), ACL_SUCCESS) << "non-strict follows the hardware: the free is immediate";
    EXPECT_EQ(StatField("allocations"), 0);
    EXPECT_EQ(StatField("deviceBytesConsumed"), 0);
    gate.Release();
    ASSERT_EQ(aclrtSynchronizeStream(stream), ACL_SUCCESS);
  }
  // The queued copy still read the freed allocation's bytes (released only after it ran).
  EXPECT_EQ(static_cast<unsigned char *>(h)[4095], 0x3C);
  EXPECT_EQ(aclrtFreeHost(h), ACL_SUCCESS);
}

}  // namespace
