// Many threads using the API at once: the registries, allocation tables, scheduler and event
// paths must be race-free (this suite is most useful under ThreadSanitizer).
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "sim_test.h"

using namespace simtest;

namespace {

class ConcurrencyTest : public SimTest {
 protected:
  OptionList Options() const override { return {{"devices", "2"}, {"memoryBytes", "256MiB"}}; }
};

TEST_F(ConcurrencyTest, ThreadsAllocateCopyRecordAndFreeAtOnce) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 60;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::thread observer([&] {
    while (!done.load()) {
      std::string json = aclsimStatsJson();
      if (json.find("\"initialized\":true") == std::string::npos) failures.fetch_add(1);
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto check = [&](aclError rc) {
        if (rc != ACL_SUCCESS) failures.fetch_add(1);
      };
      check(aclrtSetDevice(t % 2));
      aclrtStream stream = nullptr;
      aclrtEvent event = nullptr;
      check(aclrtCreateStream(&stream));
      check(aclrtCreateEvent(&event));
      void *host = nullptr;
      check(aclrtMallocHost(&host, 4096));
      for (int round = 0; round < kRounds; ++round) {
        void *dev = nullptr;
        check(aclrtMalloc(&dev, 4096, ACL_MEM_MALLOC_HUGE_FIRST));
        check(aclrtMemsetAsync(dev, 4096, round, 4096, stream));
        check(aclrtMemcpyAsync(host, 4096, dev, 4096, ACL_MEMCPY_DEVICE_TO_HOST, stream));
        check(aclrtRecordEvent(event, stream));
        aclrtEventRecordedStatus status;
        check(aclrtQueryEventStatus(event, &status));
        check(aclrtSynchronizeEvent(event));
        if (static_cast<unsigned char *>(host)[4095] != static_cast<unsigned char>(round)) failures.fetch_add(1);
        check(aclrtFree(dev));
      }
      check(aclrtFreeHost(host));
      check(aclrtDestroyEvent(event));
      check(aclrtDestroyStream(stream));
      check(aclrtResetDevice(t % 2));
    });
  }
  for (auto &t : threads) t.join();
  done.store(true);
  observer.join();
  EXPECT_EQ(failures.load(), 0) << TakeError();
  EXPECT_EQ(StatField("allocations"), 0);
  EXPECT_EQ(StatField("hostAllocations"), 0);
  EXPECT_EQ(StatField("streams"), 0);
  EXPECT_EQ(StatField("events"), 0);
}

TEST_F(ConcurrencyTest, StreamsWaitingOnEachOtherAcrossThreads) {
  SetDevice(0);
  constexpr int kStreams = 8;
  std::vector<aclrtStream> streams(kStreams);
  std::vector<aclrtEvent> events(kStreams);
  for (int i = 0; i < kStreams; ++i) {
    ASSERT_EQ(aclrtCreateStream(&streams[i]), ACL_SUCCESS);
    ASSERT_EQ(aclrtCreateEvent(&events[i]), ACL_SUCCESS);
  }
  void *dev = nullptr;
  ASSERT_EQ(aclrtMalloc(&dev, kStreams, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemset(dev, kStreams, 0, kStreams), ACL_SUCCESS);
  // A chain: stream i waits for stream i-1, then copies byte i-1 to byte i. The head is gated, so
  // every stream is parked at once; releasing the gate must run the whole chain in order.
  char *bytes = static_cast<char *>(dev);
  {
    StreamGate gate(streams[0]);
    ASSERT_EQ(aclrtMemsetAsync(bytes, 1, 0x42, 1, streams[0]), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(events[0], streams[0]), ACL_SUCCESS);
    for (int i = 1; i < kStreams; ++i) {
      ASSERT_EQ(aclrtStreamWaitEvent(streams[i], events[i - 1]), ACL_SUCCESS);
      ASSERT_EQ(aclrtMemcpyAsync(bytes + i, 1, bytes + i - 1, 1, ACL_MEMCPY_DEVICE_TO_DEVICE, streams[i]), ACL_SUCCESS);
      ASSERT_EQ(aclrtRecordEvent(events[i], streams[i]), ACL_SUCCESS);
    }
    EXPECT_EQ(StatField("pendingTasks"), 1 + 2 + 3 * (kStreams - 1));
    gate.Release();
    ASSERT_EQ(aclrtSynchronizeEvent(events[kStreams - 1]), ACL_SUCCESS);
  }
  unsigned char out[kStreams];
  ASSERT_EQ(aclrtMemcpy(out, kStreams, dev, kStreams, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
  for (int i = 0; i < kStreams; ++i) EXPECT_EQ(out[i], 0x42) << i;
}

}  // namespace
