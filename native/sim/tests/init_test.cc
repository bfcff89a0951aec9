// aclInit / aclFinalize, options and environment, versions, recent errors, the exported ABI.
#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "acl/acl_table.h"
#include "sim_test.h"

using namespace simtest;

namespace {

std::string GetOption(const char *name) {
  char buffer[256] = {};
  EXPECT_EQ(aclsimGetOption(name, buffer, sizeof(buffer)), ACL_SUCCESS) << TakeError();
  return buffer;
}

// Tests here drive aclInit themselves; they start and end uninitialised with default options.
class InitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ResetOptions();
    aclsimClearFaults();
    aclsimSetOption("memoryBytes", "256MiB");
  }
  void TearDown() override {
    while (aclFinalize() == ACL_SUCCESS) {
    }
    TakeError();
    ResetOptions();
    for (const char *var : {"ASCENDCL_SIM_DEVICES", "ASCENDCL_SIM_MEMORY", "ASCENDCL_SIM_SOC", "ASCENDCL_SIM_STRICT",
                            "ASCENDCL_SIM_FAULTS", "ASCENDCL_SIM_MAX_STREAMS"}) {
      unsetenv(var);
    }
  }
};

TEST_F(InitTest, QueriesThatWorkBeforeInit) {
  uint32_t count = 0;
  EXPECT_EQ(aclrtGetDeviceCount(&count), ACL_SUCCESS);
  EXPECT_EQ(count, 1u);
  ASSERT_EQ(aclsimSetOption("devices", "3"), ACL_SUCCESS);
  EXPECT_EQ(aclrtGetDeviceCount(&count), ACL_SUCCESS);
  EXPECT_EQ(count, 3u);
  const char *soc = aclrtGetSocName();
  ASSERT_NE(soc, nullptr);
  EXPECT_STREQ(soc, "Ascend910B4");
  aclrtRunMode mode = ACL_DEVICE;
  EXPECT_EQ(aclrtGetRunMode(&mode), ACL_SUCCESS);
  EXPECT_EQ(mode, ACL_HOST);
  int32_t major = 0, minor = 0, patch = -1;
  EXPECT_EQ(aclrtGetVersion(&major, &minor, &patch), ACL_SUCCESS);
  EXPECT_EQ(major, 1);
  EXPECT_EQ(minor, 17);
  EXPECT_EQ(patch, 0);
  char version[64] = {};
  char package[] = "runtime";
  EXPECT_EQ(aclsysGetVersionStr(package, version), ACL_SUCCESS);
  EXPECT_STREQ(version, "8.5.0-sim");
  aclCANNPackageVersion cann{};
  EXPECT_EQ(aclsysGetCANNVersion(ACL_PKG_NAME_CANN, &cann), ACL_SUCCESS);
  EXPECT_STREQ(cann.version, "8.5.0-sim");
  EXPECT_EQ(aclGetRecentErrMsg(), nullptr);
}

TEST_F(InitTest, EverythingElseNeedsInit) {
  void *p = nullptr;
  EXPECT_EQ(aclrtSetDevice(0), acl::ACL_ERROR_UNINITIALIZE);
  EXPECT_NE(TakeError().find("aclrtSetDevice: aclInit has not been called"), std::string::npos);
  EXPECT_EQ(aclrtMalloc(&p, 16, ACL_MEM_MALLOC_HUGE_FIRST), acl::ACL_ERROR_UNINITIALIZE);
  EXPECT_EQ(aclrtFree(reinterpret_cast<void *>(0x1000)), acl::ACL_ERROR_UNINITIALIZE);
  aclrtStream stream = nullptr;
  EXPECT_EQ(aclrtCreateStream(&stream), acl::ACL_ERROR_UNINITIALIZE);
  EXPECT_EQ(aclrtProcessReport(10), acl::ACL_ERROR_UNINITIALIZE);
  EXPECT_EQ(aclrtMemcpy(&p, 8, &p, 0, ACL_MEMCPY_HOST_TO_HOST), acl::ACL_ERROR_UNINITIALIZE);
  EXPECT_EQ(aclrtSynchronizeDevice(), acl::ACL_ERROR_UNINITIALIZE);
  TakeError();
}

TEST_F(InitTest, NullArgumentsAreInvalid) {
  int32_t v = 0;
  EXPECT_EQ(aclrtGetVersion(nullptr, &v, &v), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtGetDeviceCount(nullptr), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtGetRunMode(nullptr), acl::ACL_ERROR_INVALID_PARAM);
  char buffer[64];
  EXPECT_EQ(aclsysGetVersionStr(nullptr, buffer), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclsysGetCANNVersion(ACL_PKG_NAME_CANN, nullptr), acl::ACL_ERROR_INVALID_PARAM);
  aclCANNPackageVersion version{};
  EXPECT_EQ(CannVersionRawName(42, &version), acl::ACL_ERROR_INVALID_PARAM);
  std::string messages = TakeError();
  EXPECT_NE(messages.find("aclrtGetVersion: "), std::string::npos);
  EXPECT_NE(messages.find("aclsysGetCANNVersion: "), std::string::npos);
}

TEST_F(InitTest, SecondInitCountsAndFinalizeTearsDown) {
  ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
  EXPECT_EQ(aclInit(nullptr), acl::ACL_ERROR_REPEAT_INITIALIZE);
  EXPECT_NE(TakeError().find("reference count is now 2"), std::string::npos);
  EXPECT_EQ(aclInit("/does/not/matter/when/initialised"), acl::ACL_ERROR_REPEAT_INITIALIZE);
  TakeError();
  EXPECT_EQ(aclFinalize(), ACL_SUCCESS);  // regardless of the reference count
  EXPECT_EQ(aclFinalize(), acl::ACL_ERROR_REPEAT_FINALIZE);
  EXPECT_NE(TakeError().find("aclFinalize: "), std::string::npos);
  uint64_t rc = 99;
  EXPECT_EQ(aclFinalizeReference(&rc), acl::ACL_ERROR_REPEAT_FINALIZE);
  EXPECT_EQ(rc, 0u);
  EXPECT_EQ(aclFinalizeReference(nullptr), acl::ACL_ERROR_REPEAT_FINALIZE);
  TakeError();
}

TEST_F(InitTest, FinalizeReferenceTearsDownAtZero) {
  ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
  ASSERT_EQ(aclInit(nullptr), acl::ACL_ERROR_REPEAT_INITIALIZE);
  TakeError();
  ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
  uint64_t rc = 0;
  EXPECT_EQ(aclFinalizeReference(&rc), ACL_SUCCESS);
  EXPECT_EQ(rc, 1u);
  int32_t device = -1;
  EXPECT_EQ(aclrtGetDevice(&device), ACL_SUCCESS);  // still initialised
  EXPECT_EQ(aclFinalizeReference(nullptr), ACL_SUCCESS);
  EXPECT_EQ(aclrtGetDevice(&device), acl::ACL_ERROR_UNINITIALIZE);
  EXPECT_EQ(aclFinalizeReference(&rc), acl::ACL_ERROR_REPEAT_FINALIZE);
  TakeError();
}

TEST_F(InitTest, ReinitAfterFinalizeStartsFresh) {
  ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
  ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
  aclrtStream stream = nullptr;
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
  ASSERT_EQ(aclsimSetOption("devices", "2"), ACL_SUCCESS);  // options may change between inits
  ASSERT_EQ(aclInit(""), ACL_SUCCESS);
  uint32_t count = 0;
  EXPECT_EQ(aclrtGetDeviceCount(&count), ACL_SUCCESS);
  EXPECT_EQ(count, 2u);
  // The thread's old context is gone, and so is the old stream.
  int32_t device = -1;
  EXPECT_EQ(aclrtGetDevice(&device), acl::ACL_ERROR_RT_CONTEXT_NULL);
  ASSERT_EQ(aclrtSetDevice(1), ACL_SUCCESS);
  EXPECT_EQ(aclrtDestroyStream(stream), acl::ACL_ERROR_RT_INVALID_HANDLE);
  EXPECT_NE(TakeError().find("destroyed"), std::string::npos);
}

TEST_F(InitTest, ConfigFile) {
  EXPECT_EQ(aclInit("/nonexistent/acl.json"), acl::ACL_ERROR_INVALID_FILE);
  EXPECT_NE(TakeError().find("/nonexistent/acl.json"), std::string::npos);
  EXPECT_EQ(aclInit("/tmp"), acl::ACL_ERROR_INVALID_FILE);  // a directory
  TakeError();
  char path[] = "/tmp/aclsim_config_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "{}", 2), 2);
  close(fd);
  EXPECT_EQ(aclInit(path), ACL_SUCCESS) << TakeError();
  unlink(path);
}

TEST_F(InitTest, OptionsAreValidatedAndLockedWhileInitialised) {
  EXPECT_EQ(aclsimSetOption("nonsense", "1"), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(TakeError().find("nonsense"), std::string::npos);
  EXPECT_EQ(aclsimSetOption(nullptr, "1"), acl::ACL_ERROR_INVALID_PARAM);
  for (auto [name, value] : std::vector<std::pair<const char *, const char *>>{
           {"devices", "0"}, {"devices", "65"}, {"devices", "two"}, {"memoryBytes", "12 parsecs"},
           {"memoryBytes", "0"}, {"memoryBytes", "-5"}, {"threads", "0"}, {"maxStreams", "0"}, {"maxEvents", "x"},
           {"strict", "maybe"}, {"socName", ""}, {"faults", "aclrtMalloc:1"}, {"faults", "notAnApi:1:207001"},
           {"faults", "aclrtMalloc:0:207001"}, {"faults", "aclGetRecentErrMsg:1:100000"}}) {
    EXPECT_EQ(aclsimSetOption(name, value), acl::ACL_ERROR_INVALID_PARAM) << name << "=" << value;
    std::string message = TakeError();
    EXPECT_NE(message.find(name), std::string::npos) << message;
  }
  ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
  EXPECT_EQ(aclsimSetOption("devices", "2"), acl::ACL_ERROR_REPEAT_INITIALIZE);
  EXPECT_NE(TakeError().find("before aclInit"), std::string::npos);
  ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
  EXPECT_EQ(aclsimSetOption("devices", "2"), ACL_SUCCESS);
}

TEST_F(InitTest, GetOptionReportsCanonicalEffectiveValues) {
  EXPECT_EQ(GetOption("devices"), "1");
  EXPECT_EQ(GetOption("socName"), "Ascend910B4");
  EXPECT_EQ(GetOption("maxStreams"), "1024");
  EXPECT_EQ(GetOption("maxEvents"), "4096");
  EXPECT_EQ(GetOption("strict"), "1");
  EXPECT_EQ(GetOption("faults"), "");
  EXPECT_EQ(GetOption("threads"), std::to_string(sysconf(_SC_NPROCESSORS_ONLN)));
  aclsimSetOption("memoryBytes", nullptr);
  EXPECT_EQ(GetOption("memoryBytes"), "8589934592");  // 8 GiB default
  struct Case {
    const char *text;
    uint64_t bytes;
  };
  for (Case c : {Case{"4096", 4096}, Case{"512MiB", 512ull << 20}, Case{"2 GiB", 2ull << 30}, Case{"4K", 4096},
                 Case{"3KB", 3072}, Case{"1M", 1ull << 20}, Case{"1 GB", 1ull << 30}, Case{"1TiB", 1ull << 40}}) {
    ASSERT_EQ(aclsimSetOption("memoryBytes", c.text), ACL_SUCCESS) << c.text;
    EXPECT_EQ(GetOption("memoryBytes"), std::to_string(c.bytes)) << c.text;
  }
  ASSERT_EQ(aclsimSetOption("strict", "false"), ACL_SUCCESS);
  EXPECT_EQ(GetOption("strict"), "0");
  ASSERT_EQ(aclsimSetOption("strict", "TRUE"), ACL_SUCCESS);
  EXPECT_EQ(GetOption("strict"), "1");
  ASSERT_EQ(aclsimSetOption("faults", " aclrtMalloc:*:207001 , aclrtMemcpy:3:507899"), ACL_SUCCESS);
  EXPECT_EQ(GetOption("faults"), "aclrtMalloc:*:207001,aclrtMemcpy:3:507899");
  aclsimSetOption("faults", nullptr);

  char small[4];
  EXPECT_EQ(aclsimGetOption("socName", small, sizeof(small)), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(TakeError().find("12 bytes needed"), std::string::npos);
  EXPECT_EQ(aclsimGetOption("bogus", small, sizeof(small)), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclsimGetOption("devices", nullptr, 8), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();

  // While initialised: the values in use.
  ASSERT_EQ(aclsimSetOption("memoryBytes", "64MiB"), ACL_SUCCESS);
  ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
  EXPECT_EQ(GetOption("memoryBytes"), std::to_string(64ull << 20));
}

TEST_F(InitTest, EnvironmentAppliesWhereNoOptionIsSet) {
  setenv("ASCENDCL_SIM_DEVICES", "4", 1);
  setenv("ASCENDCL_SIM_SOC", "Ascend310P3", 1);
  uint32_t count = 0;
  EXPECT_EQ(aclrtGetDeviceCount(&count), ACL_SUCCESS);
  EXPECT_EQ(count, 4u);
  EXPECT_STREQ(aclrtGetSocName(), "Ascend310P3");
  EXPECT_EQ(GetOption("devices"), "4");
  ASSERT_EQ(aclsimSetOption("devices", "2"), ACL_SUCCESS);  // an explicit option wins
  EXPECT_EQ(GetOption("devices"), "2");
  ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
  EXPECT_EQ(aclrtGetDeviceCount(&count), ACL_SUCCESS);
  EXPECT_EQ(count, 2u);
  EXPECT_STREQ(aclrtGetSocName(), "Ascend310P3");
}

TEST_F(InitTest, InvalidEnvironmentFailsInitNamingTheVariable) {
  aclsimSetOption("memoryBytes", nullptr);
  setenv("ASCENDCL_SIM_MEMORY", "lots", 1);
  EXPECT_EQ(aclInit(nullptr), acl::ACL_ERROR_INVALID_PARAM);
  std::string message = TakeError();
  EXPECT_NE(message.find("aclInit: "), std::string::npos) << message;
  EXPECT_NE(message.find("ASCENDCL_SIM_MEMORY"), std::string::npos) << message;
  ASSERT_EQ(aclsimSetOption("memoryBytes", "1GiB"), ACL_SUCCESS);  // the option hides the bad variable
  EXPECT_EQ(aclInit(nullptr), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
  setenv("ASCENDCL_SIM_STRICT", "perhaps", 1);
  EXPECT_EQ(aclInit(nullptr), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(TakeError().find("ASCENDCL_SIM_STRICT"), std::string::npos);
}

TEST_F(InitTest, RecentErrorsAreQueuedPerThreadAndCleared) {
  EXPECT_EQ(aclGetRecentErrMsg(), nullptr);
  ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
  int32_t device = 0;
  EXPECT_EQ(aclrtGetDevice(&device), acl::ACL_ERROR_RT_CONTEXT_NULL);
  EXPECT_EQ(aclrtSetDevice(7), acl::ACL_ERROR_RT_INVALID_DEVICEID);
  const char *first = aclGetRecentErrMsg();
  ASSERT_NE(first, nullptr);
  std::string joined = first;
  EXPECT_EQ(joined.find("aclrtGetDevice: "), 0u) << joined;
  size_t newline = joined.find('\n');
  ASSERT_NE(newline, std::string::npos);
  EXPECT_EQ(joined.find("aclrtSetDevice: device id 7 is out of range", newline), newline + 1) << joined;
  EXPECT_EQ(aclGetRecentErrMsg(), nullptr);  // cleared

  // Messages stay on the thread that failed.
  EXPECT_EQ(aclrtSetDevice(9), acl::ACL_ERROR_RT_INVALID_DEVICEID);
  std::string other;
  std::thread([&] {
    const char *m = aclGetRecentErrMsg();
    other = m != nullptr ? m : "(none)";
  }).join();
  EXPECT_EQ(other, "(none)");
  EXPECT_NE(TakeError().find("device id 9"), std::string::npos);
}

TEST_F(InitTest, ExportsEveryFunctionOfTheTable) {
#define CHECK_EXPORTED(ret, name, params, args) \
  EXPECT_NE(dlsym(RTLD_DEFAULT, #name), nullptr) << #name << " is not exported";
  ACL_REQUIRED_FUNCTIONS(CHECK_EXPORTED)
  ACL_OPTIONAL_FUNCTIONS(CHECK_EXPORTED)
  ACLSIM_FUNCTIONS(CHECK_EXPORTED)
  ACL_MODEL_FUNCTIONS(CHECK_EXPORTED)
  ACLSIM_MODEL_FUNCTIONS(CHECK_EXPORTED)
#undef CHECK_EXPORTED
  // Internal code stays hidden.
  EXPECT_EQ(dlsym(RTLD_DEFAULT, "_ZN6aclsim5State3GetEv"), nullptr);
}

TEST_F(InitTest, TheAddonLoaderAcceptsTheSimulator) {
  std::string path = acl::PathBesideObject(reinterpret_cast<const void *>(&aclInit), "libascendcl_sim.so");
  std::string reason;
  std::unique_ptr<acl::Library> library = acl::Library::Open(path, &reason);
  ASSERT_NE(library, nullptr) << reason;
  EXPECT_NE(library->sim(), nullptr);
  EXPECT_TRUE(library->missing_optional().empty());
  EXPECT_EQ(library->fn().aclInit, &aclInit);
}

}  // namespace
