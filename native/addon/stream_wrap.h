// NativeStream: the JS object behind lib/'s Stream.
// Sync: enqueue-only calls (copy, fill, record, wait, hostFunc), query, synchronizeSync;
// synchronize returns a Promise settled from a device thread.
// Throws: AclError, AclClosedError.
#ifndef ASCENDCL_ADDON_STREAM_WRAP_H_
#define ASCENDCL_ADDON_STREAM_WRAP_H_

#include <napi.h>

#include <memory>

#include "stream_core.h"

namespace ascendcl {

class StreamWrap : public Napi::ObjectWrap<StreamWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  static Napi::Object New(Napi::Env env, std::shared_ptr<StreamCore> core);

  explicit StreamWrap(const Napi::CallbackInfo &info);
  ~StreamWrap() override;

 private:
  StreamCore &Open(Napi::Env env) const;

  Napi::Value IsClosed(const Napi::CallbackInfo &info);
  // traceId: the runtime's stream handle as a bigint (matches the simulator's trace records).
  Napi::Value TraceId(const Napi::CallbackInfo &info);
  Napi::Value Copy(const Napi::CallbackInfo &info);
  Napi::Value Fill(const Napi::CallbackInfo &info);
  Napi::Value Record(const Napi::CallbackInfo &info);
  Napi::Value Wait(const Napi::CallbackInfo &info);
  Napi::Value Execute(const Napi::CallbackInfo &info);
  Napi::Value HostFunc(const Napi::CallbackInfo &info);
  Napi::Value HostFuncDone(const Napi::CallbackInfo &info);
  Napi::Value Query(const Napi::CallbackInfo &info);
  Napi::Value Synchronize(const Napi::CallbackInfo &info);
  Napi::Value SynchronizeSync(const Napi::CallbackInfo &info);
  Napi::Value Close(const Napi::CallbackInfo &info);

  std::shared_ptr<StreamCore> core_;
};

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_STREAM_WRAP_H_
