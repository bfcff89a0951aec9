// NativeRuntime: the JS object behind lib/'s Runtime.
// Sync: every method. Throws: AclError, AclLoadError (openRuntime), AclClosedError.
#ifndef ASCENDCL_ADDON_RUNTIME_WRAP_H_
#define ASCENDCL_ADDON_RUNTIME_WRAP_H_

#include <napi.h>

#include <memory>

#include "runtime_core.h"

namespace ascendcl {

class RuntimeWrap : public Napi::ObjectWrap<RuntimeWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  // openRuntime({ backend, backendFrom, libraryPath, simOptions: [name, value][] }) → NativeRuntime
  static Napi::Value OpenRuntime(const Napi::CallbackInfo &info);

  explicit RuntimeWrap(const Napi::CallbackInfo &info);
  ~RuntimeWrap() override;

 private:
  const std::shared_ptr<RuntimeCore> &Open(Napi::Env env) const;

  Napi::Value Info(const Napi::CallbackInfo &info);
  Napi::Value DeviceCount(const Napi::CallbackInfo &info);
  Napi::Value OpenDevice(const Napi::CallbackInfo &info);
  Napi::Value Stats(const Napi::CallbackInfo &info);
  Napi::Value SimStats(const Napi::CallbackInfo &info);
  Napi::Value SimLeakReport(const Napi::CallbackInfo &info);
  Napi::Value SimInjectFault(const Napi::CallbackInfo &info);
  Napi::Value SimClearFaults(const Napi::CallbackInfo &info);
  // simTraceStart(maxRecords) / simTraceStop() → JSON string (sim/trace_recorder.h); null on npu.
  Napi::Value SimTraceStart(const Napi::CallbackInfo &info);
  Napi::Value SimTraceStop(const Napi::CallbackInfo &info);
  Napi::Value Close(const Napi::CallbackInfo &info);
  Napi::Value IsClosed(const Napi::CallbackInfo &info);

  std::shared_ptr<RuntimeCore> core_;
};

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_RUNTIME_WRAP_H_
