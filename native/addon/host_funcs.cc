#include "host_funcs.h"

#include <pthread.h>

#include "acl/acl_errors.h"
#include "context_binding.h"

namespace ascendcl {
namespace {
// How long one aclrtProcessReport waits before the thread checks whether it should stop.
constexpr int32_t kReportPollMs = 100;
}  // namespace

HostFuncChannel::HostFuncChannel(aclrtContext context, aclrtStream stream, std::function<void(uint64_t)> post)
    : context_(context), stream_(stream), post_(std::move(post)) {}

HostFuncChannel::~HostFuncChannel() { Stop(); }

int HostFuncChannel::Start(int device_id, AclFailure *failure) {
  if (started_) return 0;
  thread_ = std::thread([this] {
    BindContext(context_);
    std::unique_lock<std::mutex> lock(mutex_);
    thread_id_.store(static_cast<uint64_t>(pthread_self()));
    changed_.notify_all();
    // Serve only once subscribed (or never, when subscribing failed).
    changed_.wait(lock, [this] { return subscribed_ || stopping_.load(); });
    lock.unlock();
    if (subscribed_) Serve();
  });
  {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return thread_id_.load() != 0; });
  }
  int rc = Acl().aclrtSubscribeReport(thread_id_.load(), stream_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (rc == 0) {
      subscribed_ = true;
    } else {
      stopping_.store(true);
    }
    changed_.notify_all();
  }
  if (rc != 0) {
    *failure = CaptureFailure(rc, "aclrtSubscribeReport", device_id);
    thread_.join();
    return rc;
  }
  started_ = true;
  return 0;
}

void HostFuncChannel::Serve() {
  while (!stopping_.load(std::memory_order_acquire)) {
    int rc = Acl().aclrtProcessReport(kReportPollMs);
    if (rc == 0) continue;
    Acl().aclGetRecentErrMsg();
    // 507012: nothing arrived in this poll. Anything else (107012: unsubscribed) ends the loop.
    if (rc != acl::ACL_ERROR_RT_REPORT_TIMEOUT) break;
  }
}

int HostFuncChannel::Launch(uint64_t id, int device_id, AclFailure *failure) {
  Call *call;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto owned = std::make_unique<Call>();
    owned->channel = this;
    owned->id = id;
    call = owned.get();
    calls_[id] = std::move(owned);
  }
  int rc = Acl().aclrtLaunchCallback(&HostFuncChannel::Trampoline, call, ACL_CALLBACK_BLOCK, stream_);
  if (rc != 0) {
    *failure = CaptureFailure(rc, "aclrtLaunchCallback", device_id);
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.erase(id);
  }
  return rc;
}

void HostFuncChannel::Trampoline(void *user_data) {
  Call *call = static_cast<Call *>(user_data);
  call->channel->Run(call);
}

void HostFuncChannel::Run(Call *call) {
  uint64_t id = call->id;
  if (!stopping_.load(std::memory_order_acquire)) {
    post_(id);
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return call->done || stopping_.load(); });
  }
  std::lock_guard<std::mutex> lock(mutex_);
  calls_.erase(id);
}

void HostFuncChannel::Done(uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = calls_.find(id);
  if (found != calls_.end()) found->second->done = true;
  changed_.notify_all();
}

void HostFuncChannel::Stop() {
  if (stopping_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    changed_.notify_all();
  }
  if (started_) {
    BindContext(context_);
    Acl().aclrtUnSubscribeReport(thread_id_.load(), stream_);
    Acl().aclGetRecentErrMsg();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  calls_.clear();
}

}  // namespace ascendcl
