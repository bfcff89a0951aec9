#include "sim/recent_errors.h"

#include <cstdarg>
#include <cstdio>
#include <vector>

#include "sim/util.h"

namespace aclsim {
namespace {

struct ThreadMessages {
  std::vector<std::string> queued;
  std::string returned;  // backs the pointer aclGetRecentErrMsg handed out last
};

ThreadMessages &Messages() {
  thread_local ThreadMessages messages;
  return messages;
}

// Bounded so a thread that never reads its messages cannot grow without limit.
constexpr size_t kMaxQueued = 64;

thread_local const char *tls_api = nullptr;

void Push(std::string message) {
  ThreadMessages &m = Messages();
  if (m.queued.size() >= kMaxQueued) m.queued.erase(m.queued.begin());
  m.queued.push_back(std::move(message));
}

}  // namespace

ApiScope::ApiScope(const char *api) : previous_(tls_api) { tls_api = api; }
ApiScope::~ApiScope() { tls_api = previous_; }

const char *CurrentApi() { return tls_api != nullptr ? tls_api : "aclsim"; }

void QueueMessage(const std::string &message) { Push(std::string(CurrentApi()) + ": " + message); }

void QueueRawMessage(const std::string &message) { Push(message); }

aclError Fail(aclError code, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  std::string text = VSprintf(fmt, args);
  va_end(args);
  QueueMessage(text);
  return code;
}

const char *TakeMessages() {
  ThreadMessages &m = Messages();
  if (m.queued.empty()) {
    m.returned.clear();
    return nullptr;
  }
  std::string joined;
  for (size_t i = 0; i < m.queued.size(); ++i) {
    if (i != 0) joined += '\n';
    joined += m.queued[i];
  }
  m.queued.clear();
  m.returned = std::move(joined);
  return m.returned.c_str();
}

}  // namespace aclsim
