// Hazard detection (hazards.h): unordered stream work on overlapping memory and host copies of
// memory that queued work still uses fail with 107000 naming both operations and the allocation;
// events (also through chains), synchronizes, reads and disjoint ranges never do. Also: a process
// forked after aclInit gets a clear error instead of a hang. Streams are held with a StreamGate so
// "still queued" is certain.
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "sim_test.h"

namespace {

using simtest::SimTest;
using simtest::StreamGate;
using simtest::TakeError;

class HazardTest : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    SetDevice();
    ASSERT_EQ(aclrtCreateStream(&a_), ACL_SUCCESS);
    ASSERT_EQ(aclrtCreateStream(&b_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&buf_, 256, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&other_, 256, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  }
  char *at(void *p, size_t offset) { return static_cast<char *>(p) + offset; }
  aclrtStream a_ = nullptr, b_ = nullptr;
  void *buf_ = nullptr, *other_ = nullptr;
};

TEST_F(HazardTest, UnorderedWritesOnTwoStreamsFailNamingBothOperations) {
  StreamGate gate(a_);
  ASSERT_EQ(aclrtMemsetAsync(buf_, 256, 1, 256, a_), ACL_SUCCESS);
  EXPECT_EQ(aclrtMemsetAsync(at(buf_, 128), 128, 2, 64, b_), acl::ACL_ERROR_RT_PARAM_INVALID);
  std::string message = TakeError();
  EXPECT_NE(message.find("hazard: aclrtMemsetAsync on stream"), std::string::npos) << message;
  EXPECT_NE(message.find("writes bytes [128, 192) of device allocation #"), std::string::npos) << message;
  EXPECT_NE(message.find("aclrtMemsetAsync (operation"), std::string::npos) << message;
  EXPECT_NE(message.find("writes bytes [0, 256)"), std::string::npos) << message;
  EXPECT_NE(message.find("no event orders the two"), std::string::npos) << message;
  // A copy that reads what the other stream writes is a hazard too; one into other memory is not.
  EXPECT_EQ(aclrtMemcpyAsync(other_, 256, buf_, 16, ACL_MEMCPY_DEVICE_TO_DEVICE, b_), acl::ACL_ERROR_RT_PARAM_INVALID);
  TakeError();
  EXPECT_EQ(aclrtMemsetAsync(other_, 256, 3, 256, b_), ACL_SUCCESS);
  gate.Release();
  ASSERT_EQ(aclrtSynchronizeStream(a_), ACL_SUCCESS);
  EXPECT_EQ(aclrtMemsetAsync(buf_, 256, 2, 64, b_), ACL_SUCCESS) << "finished work no longer conflicts";
  ASSERT_EQ(aclrtSynchronizeStream(b_), ACL_SUCCESS);
}

TEST_F(HazardTest, EventsOrderStreamsAlsoThroughChains) {
  aclrtStream c = nullptr;
  ASSERT_EQ(aclrtCreateStream(&c), ACL_SUCCESS);
  aclrtEvent e1 = nullptr, e2 = nullptr;
  ASSERT_EQ(aclrtCreateEvent(&e1), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateEvent(&e2), ACL_SUCCESS);
  StreamGate gate(a_);
  ASSERT_EQ(aclrtMemsetAsync(buf_, 256, 1, 256, a_), ACL_SUCCESS);
  ASSERT_EQ(aclrtRecordEvent(e1, a_), ACL_SUCCESS);
  ASSERT_EQ(aclrtStreamWaitEvent(b_, e1), ACL_SUCCESS);
  ASSERT_EQ(aclrtRecordEvent(e2, b_), ACL_SUCCESS);
  ASSERT_EQ(aclrtStreamWaitEvent(c, e2), ACL_SUCCESS);
  EXPECT_EQ(aclrtMemsetAsync(buf_, 256, 3, 256, c), ACL_SUCCESS) << TakeError();  // c after b after a
  EXPECT_EQ(aclrtMemsetAsync(buf_, 256, 2, 256, b_), acl::ACL_ERROR_RT_PARAM_INVALID) << "b's fill races c's";
  TakeError();
  gate.Release();
  ASSERT_EQ(aclrtSynchronizeDevice(), ACL_SUCCESS);
  char byte = 0;
  ASSERT_EQ(aclrtMemcpy(&byte, 1, buf_, 1, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
  EXPECT_EQ(byte, 3);
}

TEST_F(HazardTest, ARecordBeforeTheWorkDoesNotOrderIt) {
  aclrtEvent e = nullptr;
  ASSERT_EQ(aclrtCreateEvent(&e), ACL_SUCCESS);
  StreamGate gate(a_);
  ASSERT_EQ(aclrtRecordEvent(e, a_), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemsetAsync(buf_, 256, 1, 256, a_), ACL_SUCCESS);
  ASSERT_EQ(aclrtStreamWaitEvent(b_, e), ACL_SUCCESS);
  EXPECT_EQ(aclrtMemsetAsync(buf_, 256, 2, 256, b_), acl::ACL_ERROR_RT_PARAM_INVALID);
  TakeError();
  gate.Release();
  ASSERT_EQ(aclrtSynchronizeDevice(), ACL_SUCCESS);
}

TEST_F(HazardTest, ReadsAndDisjointRangesNeverConflict) {
  StreamGate gate(a_);
  ASSERT_EQ(aclrtMemcpyAsync(other_, 128, buf_, 128, ACL_MEMCPY_DEVICE_TO_DEVICE, a_), ACL_SUCCESS);
  EXPECT_EQ(aclrtMemcpyAsync(at(other_, 128), 128, buf_, 128, ACL_MEMCPY_DEVICE_TO_DEVICE, b_), ACL_SUCCESS)
      << TakeError();
  EXPECT_EQ(aclrtMemsetAsync(at(buf_, 128), 128, 5, 128, b_), ACL_SUCCESS) << "a only reads [0, 128) of buf";
  char host[16];
  EXPECT_EQ(aclrtMemcpy(host, 16, buf_, 16, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS) << "reading what is only read";
  gate.Release();
  ASSERT_EQ(aclrtSynchronizeDevice(), ACL_SUCCESS);
}

TEST_F(HazardTest, HostCopiesOfMemoryQueuedWorkUsesFail) {
  StreamGate gate(a_);
  ASSERT_EQ(aclrtMemsetAsync(buf_, 256, 7, 256, a_), ACL_SUCCESS);
  char host[32] = {0};
  EXPECT_EQ(aclrtMemcpy(host, 32, at(buf_, 32), 32, ACL_MEMCPY_DEVICE_TO_HOST), acl::ACL_ERROR_RT_PARAM_INVALID);
  std::string message = TakeError();
  EXPECT_NE(message.find("the host reads bytes [32, 64) of device allocation #"), std::string::npos) << message;
  EXPECT_NE(message.find("aclrtMemsetAsync (operation"), std::string::npos) << message;
  EXPECT_NE(message.find("synchronize stream"), std::string::npos) << message;
  EXPECT_EQ(aclrtMemcpy(buf_, 256, host, 32, ACL_MEMCPY_HOST_TO_DEVICE), acl::ACL_ERROR_RT_PARAM_INVALID);
  TakeError();
  EXPECT_EQ(aclrtMemset(buf_, 256, 0, 1), acl::ACL_ERROR_RT_PARAM_INVALID);
  TakeError();
  gate.Release();
  ASSERT_EQ(aclrtSynchronizeStream(a_), ACL_SUCCESS);
  EXPECT_EQ(aclrtMemcpy(host, 32, buf_, 32, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
  EXPECT_EQ(host[0], 7);
}

// A blocking callback holds its stream: it may fill memory that work queued behind it reads.
struct CallbackArgs {
  void *buf;
  aclError rc = -1;
};
void WriteInCallback(void *data) {
  auto *args = static_cast<CallbackArgs *>(data);
  char bytes[8] = {9, 9, 9, 9, 9, 9, 9, 9};
  args->rc = aclrtMemcpy(args->buf, 8, bytes, 8, ACL_MEMCPY_HOST_TO_DEVICE);
}

TEST_F(HazardTest, CallbacksMayTouchMemoryQueuedBehindThem) {
  ASSERT_EQ(aclrtSubscribeReport(simtest::SelfId(), a_), ACL_SUCCESS);
  CallbackArgs args{buf_};
  ASSERT_EQ(aclrtLaunchCallback(&WriteInCallback, &args, ACL_CALLBACK_BLOCK, a_), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemcpyAsync(other_, 8, buf_, 8, ACL_MEMCPY_DEVICE_TO_DEVICE, a_), ACL_SUCCESS);
  ASSERT_EQ(aclrtProcessReport(5000), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(args.rc, ACL_SUCCESS) << TakeError();
  ASSERT_EQ(aclrtSynchronizeStream(a_), ACL_SUCCESS);
  char byte = 0;
  ASSERT_EQ(aclrtMemcpy(&byte, 1, other_, 1, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
  EXPECT_EQ(byte, 9);
  ASSERT_EQ(aclrtUnSubscribeReport(simtest::SelfId(), a_), ACL_SUCCESS);
  // The same from another thread that says it acts for the callback (what the Node binding does).
  StreamGate gate(a_);
  ASSERT_EQ(aclrtMemcpyAsync(other_, 8, buf_, 8, ACL_MEMCPY_DEVICE_TO_DEVICE, a_), ACL_SUCCESS);
  char bytes[8] = {4};
  EXPECT_EQ(aclrtMemcpy(buf_, 8, bytes, 8, ACL_MEMCPY_HOST_TO_DEVICE), acl::ACL_ERROR_RT_PARAM_INVALID);
  TakeError();
  ASSERT_EQ(aclsimHostFuncScope(a_, 1), ACL_SUCCESS);
  EXPECT_EQ(aclrtMemcpy(buf_, 8, bytes, 8, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS) << TakeError();
  ASSERT_EQ(aclsimHostFuncScope(a_, 0), ACL_SUCCESS);
  EXPECT_EQ(aclrtMemcpy(buf_, 8, bytes, 8, ACL_MEMCPY_HOST_TO_DEVICE), acl::ACL_ERROR_RT_PARAM_INVALID);
  TakeError();
  gate.Release();
  ASSERT_EQ(aclrtSynchronizeStream(a_), ACL_SUCCESS);
}

class LenientHazardTest : public HazardTest {
 protected:
  OptionList Options() const override { return {{"strict", "0"}}; }
};

TEST_F(LenientHazardTest, NonStrictModeMakesNoHazardChecks) {
  StreamGate gate(a_);
  ASSERT_EQ(aclrtMemsetAsync(buf_, 256, 1, 256, a_), ACL_SUCCESS);
  EXPECT_EQ(aclrtMemsetAsync(buf_, 256, 2, 256, b_), ACL_SUCCESS);
  char host[4];
  EXPECT_EQ(aclrtMemcpy(host, 4, buf_, 4, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
  gate.Release();
  ASSERT_EQ(aclrtSynchronizeDevice(), ACL_SUCCESS);
}

TEST_F(HazardTest, AChildForkedAfterInitGetsAnErrorInsteadOfAHang) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(pipe_fds[0]);
    void *p = nullptr;
    aclError rc = aclrtMalloc(&p, 16, ACL_MEM_MALLOC_HUGE_FIRST);
    const char *message = aclGetRecentErrMsg();
    std::string out = std::to_string(rc) + " " + (message ? message : "");
    aclError sync = aclrtSynchronizeStream(a_);  // would wait for a worker thread the child lacks
    out += " | " + std::to_string(sync);
    (void)!write(pipe_fds[1], out.data(), out.size());
    _exit(0);
  }
  close(pipe_fds[1]);
  std::string got;
  char chunk[512];
  ssize_t n;
  while ((n = read(pipe_fds[0], chunk, sizeof chunk)) > 0) got.append(chunk, static_cast<size_t>(n));
  close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(got.rfind("100001 ", 0), 0u) << got;
  EXPECT_NE(got.find("was forked from pid"), std::string::npos) << got;
  EXPECT_NE(got.find("Initialise AscendCL in a new process"), std::string::npos) << got;
  EXPECT_NE(got.find("| 100001"), std::string::npos) << got;
  void *p = nullptr;
  EXPECT_EQ(aclrtMalloc(&p, 16, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS) << "the parent is unaffected";
  aclrtFree(p);
}

}  // namespace
