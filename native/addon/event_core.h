// The native state behind one JS Event: the runtime event and where it was last recorded, so
// that its completion also proves the recording stream's earlier work complete.
// Thread: JS thread only.
#ifndef ASCENDCL_ADDON_EVENT_CORE_H_
#define ASCENDCL_ADDON_EVENT_CORE_H_

#include <napi.h>

#include <memory>

#include "device_core.h"

namespace ascendcl {

class StreamCore;

// Wait for an event's latest record (aclrtSynchronizeEventWithTimeout in slices, or polling
// aclrtQueryEventStatus on runtimes without it).
WaitResult WaitForEvent(aclrtEvent event, const WaitSpec &spec);

class EventCore : public DeviceChild {
 public:
  // aclrtCreateEvent (timing) or aclrtCreateEventWithFlag(ACL_EVENT_SYNC); the device must be
  // entered.
  static std::shared_ptr<EventCore> Create(Napi::Env env, const std::shared_ptr<DeviceCore> &device, bool timing);
  EventCore(std::shared_ptr<DeviceCore> device, aclrtEvent handle, bool timing);
  ~EventCore() override;

  aclrtEvent handle() const { return handle_; }
  bool timing() const { return timing_; }
  bool closed() const { return closed_; }

  // The event was recorded on `stream` after its operation number `seq`.
  void Recorded(const std::shared_ptr<StreamCore> &stream, uint64_t seq, uint64_t host_funcs_before);
  // The latest record completed: the stream's work up to it is done.
  void ObserveComplete();
  // A host function that the latest record waits for has not finished: a blocking wait on the
  // JS thread would deadlock.
  bool WaitsOnPendingHostFunc() const;

  // aclrtDestroyEvent (allowed before the record completes). Idempotent.
  void Close();
  void CloseForParent() override { Close(); }

 private:
  aclrtEvent handle_;
  bool timing_;
  bool closed_ = false;
  std::weak_ptr<StreamCore> recorded_on_;
  uint64_t recorded_seq_ = 0;
  uint64_t host_funcs_before_ = 0;
};

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_EVENT_CORE_H_
