#include "stream_core.h"

#include "acl/acl_errors.h"
#include "addon_data.h"
#include "context_binding.h"
#include "errors.h"
#include "process_runtime.h"

namespace ascendcl {

WaitResult WaitForStream(aclrtStream stream, const WaitSpec &spec) {
  const acl::FunctionTable &fn = Acl();
  if (fn.aclrtSynchronizeStreamWithTimeout != nullptr) {
    return SlicedWait(spec, [&](int32_t ms) { return fn.aclrtSynchronizeStreamWithTimeout(stream, ms); });
  }
  return PolledWait(
      spec,
      [&] {
        aclrtStreamStatus status = ACL_STREAM_STATUS_COMPLETE;
        int rc = fn.aclrtStreamQuery(stream, &status);
        if (rc != 0) return rc;
        return status == ACL_STREAM_STATUS_COMPLETE ? 0 : 1;
      },
      [&] { return fn.aclrtSynchronizeStream(stream); });
}

namespace {

// A host function reached the head of its stream: run it on the JS thread.
class HostFuncArrived : public Completion {
 public:
  HostFuncArrived(std::weak_ptr<StreamCore> stream, uint64_t id) : stream_(std::move(stream)), id_(id) {}
  void Deliver(Napi::Env env) override {
    if (env == nullptr) return;
    if (std::shared_ptr<StreamCore> stream = stream_.lock()) stream->RunHostFunc(env, id_);
  }

 private:
  std::weak_ptr<StreamCore> stream_;
  uint64_t id_;
};

}  // namespace

// stream.close() while work is queued: wait for it on a device thread, then destroy.
class DeferredStreamDestroy : public WaitJob {
 public:
  explicit DeferredStreamDestroy(std::shared_ptr<StreamCore> stream) : stream_(std::move(stream)) {}
  void Run(const std::atomic<bool> &stopping) override {
    WaitSpec spec{"aclrtSynchronizeStreamWithTimeout", "stream", acl::ACL_ERROR_RT_STREAM_SYNC_TIMEOUT, -1,
                  stream_->device().id()};
    spec.stopping = &stopping;
    WaitResult result = WaitForStream(stream_->handle(), spec);
    if (result.outcome == WaitOutcome::kStopped) return;  // the device is closing: it destroys the stream
    Acl().aclrtDestroyStream(stream_->handle());
    DiscardRecentMessages();
    destroyed_ = true;
  }
  void Abandon() override {}
  void Deliver(Napi::Env env) override {
    if (destroyed_ && !stream_->released_) stream_->Destroyed();
    stream_->device().EndAsync();
  }

 private:
  std::shared_ptr<StreamCore> stream_;
  bool destroyed_ = false;
};

std::shared_ptr<StreamCore> StreamCore::Create(Napi::Env env, const std::shared_ptr<DeviceCore> &device) {
  aclrtStream handle = nullptr;
  device->Check(env, Acl().aclrtCreateStream(&handle), "aclrtCreateStream");
  return std::make_shared<StreamCore>(device, handle);
}

StreamCore::StreamCore(std::shared_ptr<DeviceCore> device, aclrtStream handle)
    : DeviceChild(std::move(device), Kind::kStream), handle_(handle), scope_handle_(handle) {
  this->device().stats().streams += 1;
}

StreamCore::~StreamCore() {
  if (!released_) CloseForParent();
}

void StreamCore::Enqueued(std::shared_ptr<Pinnable> a, std::shared_ptr<Pinnable> b) {
  ++enqueued_;
  for (std::shared_ptr<Pinnable> *memory : {&a, &b}) {
    if (*memory == nullptr) continue;
    (*memory)->Pin();
    holds_.push_back({enqueued_, std::move(*memory)});
  }
}

void StreamCore::Enqueued(std::vector<std::shared_ptr<Pinnable>> holds) {
  ++enqueued_;
  for (std::shared_ptr<Pinnable> &hold : holds) {
    if (hold == nullptr) continue;
    hold->Pin();
    holds_.push_back({enqueued_, std::move(hold)});
  }
}

void StreamCore::KeepUntilComplete(Napi::Value value) {
  kept_.push_back({enqueued_, Napi::Persistent(value)});
}

void StreamCore::ObserveCompleted(uint64_t seq) {
  if (seq > enqueued_) seq = enqueued_;
  if (seq <= observed_) return;
  observed_ = seq;
  while (!holds_.empty() && holds_.front().seq <= observed_) {
    std::shared_ptr<Pinnable> memory = std::move(holds_.front().memory);
    holds_.pop_front();
    memory->Unpin();
  }
  while (!kept_.empty() && kept_.front().seq <= observed_) kept_.pop_front();
}

void StreamCore::LaunchHostFunc(Napi::Env env, Napi::Function fn, Napi::Object wrapper) {
  DeviceCore &device = this->device();
  AclFailure failure;
  if (host_funcs_ == nullptr) {
    std::weak_ptr<StreamCore> weak = weak_from_this();
    DeviceCore *device_ptr = &device;
    auto channel = std::make_unique<HostFuncChannel>(device.context(), handle_, [weak, device_ptr](uint64_t id) {
      device_ptr->Deliver(new HostFuncArrived(weak, id));
    });
    if (channel->Start(device.id(), &failure) != 0) {
      device.NoteFailure(failure);
      ThrowAclError(env, failure);
    }
    host_funcs_ = std::move(channel);
  }
  uint64_t id = next_host_func_++;
  host_fns_[id] = Napi::Persistent(fn);
  if (host_funcs_->Launch(id, device.id(), &failure) != 0) {
    host_fns_.erase(id);
    device.NoteFailure(failure);
    ThrowAclError(env, failure);
  }
  if (host_fns_.size() == 1) {
    wrapper_ = Napi::Persistent(wrapper);
    device.BeginAsync();
  }
  ++host_funcs_launched_;
  Enqueued();
}

void StreamCore::HostFuncScope(bool enter) {
  // The simulator's hazard checks must know that this (JS) thread acts for the stream's blocked
  // callback while the function runs: work queued behind it cannot start meanwhile.
  const acl::SimTable *sim = ProcessRuntime::Instance().sim();
  if (sim == nullptr || scope_handle_ == nullptr) return;
  if (sim->aclsimHostFuncScope(scope_handle_, enter ? 1 : 0) != 0) DiscardRecentMessages();
}

void StreamCore::RunHostFunc(Napi::Env env, uint64_t id) {
  auto found = host_fns_.find(id);
  if (found == host_fns_.end() || wrapper_.IsEmpty()) return;
  if (running_host_funcs_.insert(id).second) HostFuncScope(true);
  // lib/ runs the function, waits for a returned Promise, and calls hostFuncDone(id, error?).
  Data(env).invoke_host_func.Call({found->second.Value(), wrapper_.Value(), Napi::Number::New(env, double(id))});
}

void StreamCore::HostFuncDone(Napi::Env env, uint64_t id, Napi::Value error) {
  auto found = host_fns_.find(id);
  if (found == host_fns_.end()) return;
  host_fns_.erase(found);
  if (running_host_funcs_.erase(id) != 0) HostFuncScope(false);
  if (!error.IsUndefined() && host_error_.IsEmpty()) host_error_ = Napi::Persistent(error);
  ++host_funcs_finished_;
  if (host_funcs_ != nullptr) host_funcs_->Done(id);
  if (host_fns_.empty()) {
    wrapper_.Reset();
    device().EndAsync();
  }
}

Napi::Value StreamCore::TakeHostError(Napi::Env env) {
  if (host_error_.IsEmpty()) return env.Undefined();
  Napi::Value error = host_error_.Value();
  host_error_.Reset();
  return error;
}

void StreamCore::StopHostFuncs() {
  if (host_funcs_ != nullptr) host_funcs_->Stop();
  for (size_t i = 0; i < running_host_funcs_.size(); ++i) HostFuncScope(false);
  running_host_funcs_.clear();
  if (!host_fns_.empty()) {
    // Pending host functions are dropped at close (api.md): they will never run.
    host_fns_.clear();
    host_funcs_finished_ = host_funcs_launched_;
    wrapper_.Reset();
    device().EndAsync();
  }
}

void StreamCore::Close(Napi::Env env) {
  if (closed_) return;
  closed_ = true;
  StopHostFuncs();
  if (released_) return;
  BindContext(device().context());
  aclrtStreamStatus status = ACL_STREAM_STATUS_NOT_READY;
  if (Acl().aclrtStreamQuery(handle_, &status) == 0 && status == ACL_STREAM_STATUS_COMPLETE) {
    Acl().aclrtDestroyStream(handle_);
    DiscardRecentMessages();
    Destroyed();
    return;
  }
  DiscardRecentMessages();
  device().BeginAsync();
  device().Post(new DeferredStreamDestroy(shared_from_this()));
}

void StreamCore::CloseForParent() {
  closed_ = true;
  StopHostFuncs();
  if (released_) return;
  BindContext(device().context());
  // Closing the device discards work that has not started (design.md §5: teardown never waits
  // on the user's queue).
  if (Acl().aclrtDestroyStreamForce != nullptr) {
    Acl().aclrtDestroyStreamForce(handle_);
  } else {
    Acl().aclrtDestroyStream(handle_);
  }
  DiscardRecentMessages();
  Destroyed();
}

void StreamCore::Destroyed() {
  released_ = true;
  handle_ = nullptr;
  ObserveCompleted(enqueued_);
  device().stats().streams -= 1;
  Unregister();
}

}  // namespace ascendcl
