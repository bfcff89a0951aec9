#include "device_core.h"

#include <vector>

#include "acl/acl_errors.h"
#include "addon_data.h"
#include "context_binding.h"
#include "errors.h"

namespace ascendcl {

DeviceChild::DeviceChild(std::shared_ptr<DeviceCore> device, Kind kind) : device_(std::move(device)), kind_(kind) {
  device_->Register(this);
}

DeviceChild::~DeviceChild() { Unregister(); }

void DeviceChild::Unregister() {
  if (!registered_) return;
  registered_ = false;
  device_->Unregister(this);
}

DeviceCore::DeviceCore(Napi::Env env, std::shared_ptr<RuntimeCore> runtime, int id)
    : env_(env), runtime_(std::move(runtime)), id_(id), workers_([this](WaitJob *job) { Deliver(job); }) {
  // aclrtSetDevice binds the calling thread to the device's default context behind our cache's
  // back, so every thread's cached binding is dropped.
  int rc = Acl().aclrtSetDevice(id);
  InvalidateContextBindings();
  if (rc != 0) ThrowAclError(env, CaptureFailure(rc, "aclrtSetDevice", id));
  rc = Acl().aclrtGetCurrentContext(&context_);
  if (rc != 0) {
    AclFailure failure = CaptureFailure(rc, "aclrtGetCurrentContext", id);
    Acl().aclrtResetDevice(id);
    ThrowAclError(env, failure);
  }
  workers_.SetContext(context_);
  napi_status status = napi_create_threadsafe_function(env, nullptr, nullptr, Napi::String::New(env, "ascendcl.device"),
                                                       0, 1, nullptr, nullptr, nullptr, &DeviceCore::CallJs, &tsfn_);
  if (status != napi_ok) {
    Acl().aclrtResetDevice(id);
    throw Napi::Error::New(env, "cannot create the device's thread-safe function");
  }
  // Idle devices must not keep the process alive; BeginAsync refs it while results are due.
  napi_unref_threadsafe_function(env, tsfn_);
}

DeviceCore::~DeviceCore() { Close(); }

void DeviceCore::CallJs(napi_env env, napi_value, void *, void *data) {
  auto *completion = static_cast<Completion *>(data);
  if (env == nullptr) {
    completion->Deliver(Napi::Env(nullptr));
    delete completion;
    return;
  }
  Napi::HandleScope scope(env);
  try {
    completion->Deliver(Napi::Env(env));
  } catch (const Napi::Error &error) {
    napi_fatal_exception(env, error.Value());
  }
  delete completion;
}

void DeviceCore::Deliver(Completion *completion) {
  if (tsfn_ == nullptr || napi_call_threadsafe_function(tsfn_, completion, napi_tsfn_nonblocking) != napi_ok) {
    // The device's function is gone (env teardown): nothing can be settled any more, and the
    // completion's JS references may only be dropped on the JS thread, so it is leaked.
  }
}

void DeviceCore::BeginAsync() {
  if (async_pending_++ == 0 && tsfn_ != nullptr) {
    napi_ref_threadsafe_function(env_, tsfn_);
  }
}

void DeviceCore::EndAsync() {
  if (async_pending_ > 0 && --async_pending_ == 0 && tsfn_ != nullptr) {
    napi_unref_threadsafe_function(env_, tsfn_);
  }
}

void DeviceCore::Post(WaitJob *job) { workers_.Post(job); }

AclFailure DeviceCore::FaultedFailure() const {
  const char *name = acl::ErrorName(fault_code_);
  std::string code = std::to_string(fault_code_) + " " + (name ? name : "ACL_ERROR_UNKNOWN_" + std::to_string(fault_code_));
  return BindingFailure(fault_code_, "device.faulted", id_,
                        "device " + std::to_string(id_) + " is faulted after " + code + " from " + fault_api_ +
                            "; call device.reset() to recover it (this closes its streams, events and buffers)");
}

void DeviceCore::CheckUsable(Napi::Env env, const char *resource) const {
  if (state_ == State::kOk) return;
  if (state_ == State::kClosed) ThrowClosed(env, resource);
  ThrowAclError(env, FaultedFailure());
}

void DeviceCore::Enter(Napi::Env env, const char *resource) const {
  CheckUsable(env, resource);
  int rc = BindContext(context_);
  if (rc != 0) ThrowAclError(env, CaptureFailure(rc, "aclrtSetCurrentContext", id_));
}

void DeviceCore::NoteFailure(const AclFailure &failure) {
  if (state_ == State::kOk && acl::IsDeviceFatal(failure.code) && failure.api != "device.faulted") {
    state_ = State::kFaulted;
    fault_code_ = failure.code;
    fault_api_ = failure.api;
  }
}

void DeviceCore::Check(Napi::Env env, int rc, const char *api) {
  if (rc == 0) return;
  AclFailure failure = CaptureFailure(rc, api, id_);
  NoteFailure(failure);
  ThrowAclError(env, failure);
}

void DeviceCore::CloseChildren() {
  // Copy: closing a child unregisters it. Streams first, so no queued work outlives the memory
  // and events it uses.
  std::vector<DeviceChild *> ordered(children_.begin(), children_.end());
  for (DeviceChild::Kind kind : {DeviceChild::Kind::kStream, DeviceChild::Kind::kEvent, DeviceChild::Kind::kModel,
                                 DeviceChild::Kind::kMemory}) {
    for (DeviceChild *child : ordered) {
      if (child->kind() == kind && children_.count(child) != 0) child->CloseForParent();
    }
  }
}

size_t DeviceCore::TrimPool() {
  BindContext(context_);
  size_t freed = pool_.Trim();
  DiscardRecentMessages();
  return freed;
}

void DeviceCore::Close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  workers_.Stop();
  BindContext(context_);
  CloseChildren();
  if (tsfn_ != nullptr) {
    napi_release_threadsafe_function(tsfn_, napi_tsfn_release);
    tsfn_ = nullptr;
  }
  pool_.Trim();  // children gave their pooled blocks back just now
  Acl().aclrtResetDevice(id_);
  DiscardRecentMessages();
  InvalidateContextBindings();
  runtime_->ForgetDevice(id_);
}

void DeviceCore::Reset(Napi::Env env) {
  if (state_ == State::kClosed) ThrowClosed(env, "Device");
  workers_.Stop();
  BindContext(context_);
  CloseChildren();
  pool_.Trim();  // the reset frees everything; the cache must not keep dangling addresses
  // Force reset frees the device for the whole process even when other threads set it, which
  // is what recovering a faulted device needs; older CANN only has the counted reset.
  int rc = Acl().aclrtResetDeviceForce != nullptr ? Acl().aclrtResetDeviceForce(id_) : Acl().aclrtResetDevice(id_);
  const char *api = Acl().aclrtResetDeviceForce != nullptr ? "aclrtResetDeviceForce" : "aclrtResetDevice";
  InvalidateContextBindings();
  if (rc != 0) ThrowAclError(env, CaptureFailure(rc, api, id_));
  rc = Acl().aclrtSetDevice(id_);
  InvalidateContextBindings();
  if (rc != 0) {
    state_ = State::kFaulted;
    fault_code_ = rc;
    fault_api_ = "aclrtSetDevice";
    ThrowAclError(env, CaptureFailure(rc, "aclrtSetDevice", id_));
  }
  rc = Acl().aclrtGetCurrentContext(&context_);
  if (rc != 0) ThrowAclError(env, CaptureFailure(rc, "aclrtGetCurrentContext", id_));
  workers_.SetContext(context_);
  state_ = State::kOk;
  fault_code_ = 0;
  fault_api_.clear();
}

}  // namespace ascendcl
