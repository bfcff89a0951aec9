// NativeDevice: the JS object behind lib/'s Device.
// Sync: everything but synchronize (Promise, settled from a device thread).
// Throws: AclError, AclClosedError (and TypeError/RangeError for a caller that bypasses lib/).
#ifndef ASCENDCL_ADDON_DEVICE_WRAP_H_
#define ASCENDCL_ADDON_DEVICE_WRAP_H_

#include <napi.h>

#include <memory>

#include "device_core.h"

namespace ascendcl {

class DeviceWrap : public Napi::ObjectWrap<DeviceWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  static Napi::Object New(Napi::Env env, std::shared_ptr<DeviceCore> core);

  explicit DeviceWrap(const Napi::CallbackInfo &info);

 private:
  Napi::Value Id(const Napi::CallbackInfo &info);
  Napi::Value State(const Napi::CallbackInfo &info);
  Napi::Value IsClosed(const Napi::CallbackInfo &info);
  Napi::Value MemoryInfo(const Napi::CallbackInfo &info);
  Napi::Value Alloc(const Napi::CallbackInfo &info);
  Napi::Value AllocHost(const Napi::CallbackInfo &info);
  Napi::Value CreateStream(const Napi::CallbackInfo &info);
  Napi::Value CreateEvent(const Napi::CallbackInfo &info);
  Napi::Value LoadModel(const Napi::CallbackInfo &info);
  Napi::Value LoadModelSync(const Napi::CallbackInfo &info);
  Napi::Value Synchronize(const Napi::CallbackInfo &info);
  Napi::Value SynchronizeSync(const Napi::CallbackInfo &info);
  Napi::Value TrimPool(const Napi::CallbackInfo &info);
  Napi::Value Reset(const Napi::CallbackInfo &info);
  Napi::Value Close(const Napi::CallbackInfo &info);

  std::shared_ptr<DeviceCore> core_;
};

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_DEVICE_WRAP_H_
