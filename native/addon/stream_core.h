// The native state behind one JS Stream: the runtime stream, what its queued operations keep
// alive, and its host functions.
//
// Completion of queued work is observed only at sync points (synchronize, a true query(), an
// event recorded after the work completing); everything an operation holds (pinned memory,
// plain typed arrays) is released at the first sync point that covers it. Thread: JS thread,
// except what HostFuncChannel runs.
#ifndef ASCENDCL_ADDON_STREAM_CORE_H_
#define ASCENDCL_ADDON_STREAM_CORE_H_

#include <napi.h>

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <memory>

#include "device_core.h"
#include "host_funcs.h"
#include "memory.h"

namespace ascendcl {

// Wait for everything queued on `stream` (aclrtSynchronizeStreamWithTimeout in slices, or polling
// aclrtStreamQuery on runtimes without it).
WaitResult WaitForStream(aclrtStream stream, const WaitSpec &spec);

class StreamCore : public DeviceChild, public std::enable_shared_from_this<StreamCore> {
 public:
  // aclrtCreateStream; the device must be entered.
  static std::shared_ptr<StreamCore> Create(Napi::Env env, const std::shared_ptr<DeviceCore> &device);
  StreamCore(std::shared_ptr<DeviceCore> device, aclrtStream handle);
  ~StreamCore() override;

  aclrtStream handle() const { return handle_; }
  bool closed() const { return closed_; }
  uint64_t enqueued() const { return enqueued_; }

  // One more operation was enqueued; `memory` and `value` stay alive until it is seen complete.
  void Enqueued(std::shared_ptr<Pinnable> a = nullptr, std::shared_ptr<Pinnable> b = nullptr);
  void Enqueued(std::vector<std::shared_ptr<Pinnable>> holds);
  void KeepUntilComplete(Napi::Value value);
  // Everything enqueued up to operation number `seq` has completed.
  void ObserveCompleted(uint64_t seq);
  int64_t PendingOps() const override { return static_cast<int64_t>(enqueued_ - observed_); }

  // Host functions (stream.hostFunc). `wrapper` is the JS Stream wrap, kept alive while calls
  // are pending.
  void LaunchHostFunc(Napi::Env env, Napi::Function fn, Napi::Object wrapper);
  void HostFuncDone(Napi::Env env, uint64_t id, Napi::Value error);
  // Called on the JS thread when the report thread reaches call `id`.
  void RunHostFunc(Napi::Env env, uint64_t id);
  size_t pending_host_funcs() const { return host_fns_.size(); }
  uint64_t host_funcs_launched() const { return host_funcs_launched_; }
  uint64_t host_funcs_finished() const { return host_funcs_finished_; }
  // Whether any of the first `launched` host functions of this (open) stream has not finished:
  // work queued after them waits for the JS thread.
  bool HostFuncsUnfinishedAmongFirst(uint64_t launched) const { return !closed() && host_funcs_finished_ < launched; }
  // The first error a host function threw since the last synchronize (empty if none); taking it
  // clears it.
  Napi::Value TakeHostError(Napi::Env env);

  // User close: drop pending host functions and destroy the stream once its work is done
  // (on a device thread if it is not done yet), so close() never blocks.
  void Close(Napi::Env env);
  void CloseForParent() override;

 private:
  struct Hold {
    uint64_t seq;
    std::shared_ptr<Pinnable> memory;
  };
  struct KeptValue {
    uint64_t seq;
    Napi::Reference<Napi::Value> value;
  };
  friend class DeferredStreamDestroy;
  void StopHostFuncs();
  void Destroyed();
  void HostFuncScope(bool enter);

  aclrtStream handle_;
  aclrtStream scope_handle_;  // the handle's value, kept after release to leave hazard scopes
  bool closed_ = false;
  bool released_ = false;
  uint64_t enqueued_ = 0;
  uint64_t observed_ = 0;
  std::deque<Hold> holds_;
  std::deque<KeptValue> kept_;

  std::unique_ptr<HostFuncChannel> host_funcs_;
  std::map<uint64_t, Napi::FunctionReference> host_fns_;
  std::set<uint64_t> running_host_funcs_;  // handed to JS and not settled
  uint64_t next_host_func_ = 1;
  uint64_t host_funcs_launched_ = 0;
  uint64_t host_funcs_finished_ = 0;
  Napi::ObjectReference wrapper_;  // strong while host functions are pending
  Napi::Reference<Napi::Value> host_error_;
};

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_STREAM_CORE_H_
