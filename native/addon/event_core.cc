#include "event_core.h"

#include "context_binding.h"
#include "stream_core.h"

namespace ascendcl {

WaitResult WaitForEvent(aclrtEvent event, const WaitSpec &spec) {
  const acl::FunctionTable &fn = Acl();
  if (fn.aclrtSynchronizeEventWithTimeout != nullptr) {
    return SlicedWait(spec, [&](int32_t ms) { return fn.aclrtSynchronizeEventWithTimeout(event, ms); });
  }
  // An older runtime without the timeout variant: poll, and name the call actually made.
  WaitSpec polled = spec;
  polled.api = "aclrtSynchronizeEvent";
  return PolledWait(
      polled,
      [&] {
        aclrtEventRecordedStatus status = ACL_EVENT_RECORDED_STATUS_COMPLETE;
        int rc = fn.aclrtQueryEventStatus(event, &status);
        if (rc != 0) return rc;
        return status == ACL_EVENT_RECORDED_STATUS_COMPLETE ? 0 : 1;
      },
      [&] { return fn.aclrtSynchronizeEvent(event); });
}

std::shared_ptr<EventCore> EventCore::Create(Napi::Env env, const std::shared_ptr<DeviceCore> &device, bool timing) {
  aclrtEvent handle = nullptr;
  if (timing) {
    device->Check(env, Acl().aclrtCreateEvent(&handle), "aclrtCreateEvent");
  } else {
    device->Check(env, Acl().aclrtCreateEventWithFlag(&handle, ACL_EVENT_SYNC), "aclrtCreateEventWithFlag");
  }
  return std::make_shared<EventCore>(device, handle, timing);
}

EventCore::EventCore(std::shared_ptr<DeviceCore> device, aclrtEvent handle, bool timing)
    : DeviceChild(std::move(device), Kind::kEvent), handle_(handle), timing_(timing) {
  this->device().stats().events += 1;
}

EventCore::~EventCore() { Close(); }

void EventCore::Recorded(const std::shared_ptr<StreamCore> &stream, uint64_t seq, uint64_t host_funcs_before) {
  recorded_on_ = stream;
  recorded_seq_ = seq;
  host_funcs_before_ = host_funcs_before;
}

void EventCore::ObserveComplete() {
  if (std::shared_ptr<StreamCore> stream = recorded_on_.lock()) stream->ObserveCompleted(recorded_seq_);
}

bool EventCore::WaitsOnPendingHostFunc() const {
  std::shared_ptr<StreamCore> stream = recorded_on_.lock();
  return stream != nullptr && stream->HostFuncsUnfinishedAmongFirst(host_funcs_before_);
}

void EventCore::Close() {
  if (closed_) return;
  closed_ = true;
  BindContext(device().context());
  Acl().aclrtDestroyEvent(handle_);
  DiscardRecentMessages();
  handle_ = nullptr;
  device().stats().events -= 1;
  Unregister();
}

}  // namespace ascendcl
