// aclsimStatsJson (valid JSON, stable keys) and aclsimLeakReport (live objects, the report kept
// at aclFinalize, printed only on request).
#include <cctype>
#include <cstdlib>
#include <string>

#include "sim_test.h"

using namespace simtest;

namespace {

// A minimal JSON validator: enough to prove the stats are well-formed.
class JsonChecker {
 public:
  explicit JsonChecker(const std::string &text) : s_(text) {}
  bool Valid() {
    Skip();
    if (!Value()) return false;
    Skip();
    return i_ == s_.size();
  }

 private:
  void Skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool Literal(const char *word) {
    size_t n = std::char_traits<char>::length(word);
    if (s_.compare(i_, n, word) != 0) return false;
    i_ += n;
    return true;
  }
  bool String() {
    if (s_[i_] != '"') return false;
    for (++i_; i_ < s_.size(); ++i_) {
      if (s_[i_] == '\\') {
        ++i_;
      } else if (s_[i_] == '"') {
        ++i_;
        return true;
      }
    }
    return false;
  }
  bool Number() {
    size_t start = i_;
    if (s_[i_] == '-') ++i_;
    while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.')) ++i_;
    return i_ > start;
  }
  bool Value() {
    if (i_ >= s_.size()) return false;
    switch (s_[i_]) {
      case '{': return Container('}', true);
      case '[': return Container(']', false);
      case '"': return String();
      case 't': return Literal("true");
      case 'f': return Literal("false");
      case 'n': return Literal("null");
      default: return Number();
    }
  }
  bool Container(char close, bool object) {
    ++i_;
    Skip();
    if (i_ < s_.size() && s_[i_] == close) return ++i_, true;
    for (;;) {
      Skip();
      if (object) {
        if (!String()) return false;
        Skip();
        if (s_[i_++] != ':') return false;
        Skip();
      }
      if (!Value()) return false;
      Skip();
      if (i_ >= s_.size()) return false;
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (s_[i_] == close) return ++i_, true;
      return false;
    }
  }
  const std::string &s_;
  size_t i_ = 0;
};

class StatsTest : public SimTest {
 protected:
  OptionList Options() const override { return {{"devices", "2"}}; }
};

TEST_F(StatsTest, StatsAreValidJsonWithStableKeys) {
  SetDevice(1);
  void *p = nullptr, *h = nullptr;
  aclrtStream stream = nullptr;
  aclrtEvent event = nullptr;
  aclrtContext context = nullptr;
  ASSERT_EQ(aclrtMalloc(&p, 100, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  ASSERT_EQ(aclrtMallocHost(&h, 10), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateEvent(&event), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateContext(&context, 0), ACL_SUCCESS);
  std::string json = aclsimStatsJson();
  EXPECT_TRUE(JsonChecker(json).Valid()) << json;
  for (const char *key : {"initialized", "devices", "allocations", "deviceBytes", "deviceBytesConsumed",
                          "hostAllocations", "hostBytes", "contexts", "streams", "events", "models", "pendingTasks",
                          "callbackSubscriptions", "workerThreads", "perDevice", "id", "refCount", "lost"}) {
    EXPECT_NE(json.find(std::string("\"") + key + "\":"), std::string::npos) << key;
  }
  EXPECT_EQ(StatField("initialized"), 1);
  EXPECT_EQ(StatField("devices"), 2);
  EXPECT_EQ(StatField("allocations"), 1);
  EXPECT_EQ(StatField("deviceBytes"), 100);
  EXPECT_EQ(StatField("deviceBytesConsumed"), 160);
  EXPECT_EQ(StatField("hostAllocations"), 1);
  EXPECT_EQ(StatField("hostBytes"), 10);
  EXPECT_EQ(StatField("contexts"), 1) << "explicit contexts only";
  EXPECT_EQ(StatField("streams"), 1) << "user-created streams only";
  EXPECT_EQ(StatField("events"), 1);
  EXPECT_EQ(StatField("models"), 0);
  EXPECT_EQ(StatField("allocations", 1), 1);
  EXPECT_EQ(StatField("allocations", 0), 0);
  EXPECT_EQ(StatField("streams", 1), 1);
  EXPECT_EQ(StatField("refCount", 1), 1);
  EXPECT_EQ(StatField("refCount", 0), 0);
}

TEST(StatsBeforeInitTest, StatsWorkBeforeInit) {
  std::string json = aclsimStatsJson();
  EXPECT_TRUE(JsonChecker(json).Valid()) << json;
  EXPECT_EQ(StatField("initialized"), 0);
  EXPECT_EQ(StatField("devices"), 0);
  // Nothing live, or (when an earlier test of this process finalised) the report kept then.
  EXPECT_EQ(std::string(aclsimLeakReport()).rfind("ascendcl simulator leak report: ", 0), 0u);
}

TEST_F(StatsTest, LeakReportListsWhatIsLiveAndIsKeptAtFinalize) {
  EXPECT_NE(std::string(aclsimLeakReport()).find("nothing is live"), std::string::npos);
  SetDevice(0);
  void *p = nullptr;
  aclrtStream stream = nullptr;
  ASSERT_EQ(aclrtMalloc(&p, 300, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  std::string report = aclsimLeakReport();
  EXPECT_NE(report.find("device allocation: 300 bytes"), std::string::npos) << report;
  EXPECT_NE(report.find("aclrtMalloc on thread"), std::string::npos) << report;
  EXPECT_NE(report.find("stream 0x"), std::string::npos) << report;
  EXPECT_NE(report.find("aclrtCreateStream"), std::string::npos) << report;
  EXPECT_NE(report.find("device 0: still set, reference count 1"), std::string::npos) << report;

  testing::internal::CaptureStderr();
  ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "") << "printed only with ASCENDCL_SIM_LEAK_REPORT=1";
  std::string kept = aclsimLeakReport();
  EXPECT_NE(kept.find("device allocation: 300 bytes"), std::string::npos) << kept;

  ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
  EXPECT_NE(std::string(aclsimLeakReport()).find("nothing is live"), std::string::npos);
  SetDevice(0);
  ASSERT_EQ(aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  setenv("ASCENDCL_SIM_LEAK_REPORT", "1", 1);
  testing::internal::CaptureStderr();
  ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
  std::string printed = testing::internal::GetCapturedStderr();
  unsetenv("ASCENDCL_SIM_LEAK_REPORT");
  EXPECT_NE(printed.find("device allocation: 64 bytes"), std::string::npos) << printed;
}

}  // namespace
