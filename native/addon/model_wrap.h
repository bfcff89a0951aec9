// NativeModel: the JS object behind lib/'s Model (and the engine of InferenceSession).
// Sync: info, executeSync, runSync, close. Async (Promise, on a device thread): execute, run.
// Throws: AclError, AclClosedError (TypeError/RangeError for a caller that bypasses lib/).
#ifndef ASCENDCL_ADDON_MODEL_WRAP_H_
#define ASCENDCL_ADDON_MODEL_WRAP_H_

#include <napi.h>

#include <memory>

#include "model_core.h"

namespace ascendcl {

class ModelWrap : public Napi::ObjectWrap<ModelWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  static Napi::Object New(Napi::Env env, std::shared_ptr<ModelCore> core);
  static ModelWrap *From(Napi::Env env, Napi::Value value);

  // device.loadModel(source, options) / loadModelSync: `info` holds (source, gears,
  // inputTypes, outputTypes) from lib/.
  static Napi::Value Load(const Napi::CallbackInfo &info, const std::shared_ptr<DeviceCore> &device, bool sync);

  explicit ModelWrap(const Napi::CallbackInfo &info);
  ~ModelWrap() override;

  const std::shared_ptr<ModelCore> &core() const { return core_; }

 private:
  Napi::Value Info(const Napi::CallbackInfo &info);
  Napi::Value IsClosed(const Napi::CallbackInfo &info);
  Napi::Value Execute(const Napi::CallbackInfo &info);
  Napi::Value ExecuteSync(const Napi::CallbackInfo &info);
  Napi::Value Run(const Napi::CallbackInfo &info);
  Napi::Value RunSync(const Napi::CallbackInfo &info);
  Napi::Value Close(const Napi::CallbackInfo &info);
  Napi::Value Start(const Napi::CallbackInfo &info, bool run, bool sync);

  std::shared_ptr<ModelCore> core_;
};

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_MODEL_WRAP_H_
