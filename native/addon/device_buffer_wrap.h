// NativeDeviceBuffer: device memory, or a non-owning view of it.
// Sync: all methods (write/read are blocking copies, like aclrtMemcpy).
// Throws: AclError, AclClosedError.
#ifndef ASCENDCL_ADDON_DEVICE_BUFFER_WRAP_H_
#define ASCENDCL_ADDON_DEVICE_BUFFER_WRAP_H_

#include <napi.h>

#include <memory>

#include "memory.h"

namespace ascendcl {

class DeviceBufferWrap : public Napi::ObjectWrap<DeviceBufferWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  static Napi::Object New(Napi::Env env, MemorySpan<DeviceMemory> span);
  // nullptr unless `value` is a NativeDeviceBuffer.
  static DeviceBufferWrap *From(Napi::Env env, Napi::Value value);

  explicit DeviceBufferWrap(const Napi::CallbackInfo &info);
  ~DeviceBufferWrap() override;

  const std::shared_ptr<DeviceMemory> &memory() const { return span_.memory; }
  size_t length() const { return span_.length; }
  bool closed() const { return view_closed_ || span_.memory->closed(); }
  char *data() const { return span_.data(); }

 private:
  Napi::Value ByteLength(const Napi::CallbackInfo &info);
  Napi::Value Address(const Napi::CallbackInfo &info);
  Napi::Value IsView(const Napi::CallbackInfo &info);
  Napi::Value IsClosed(const Napi::CallbackInfo &info);
  Napi::Value View(const Napi::CallbackInfo &info);
  Napi::Value Write(const Napi::CallbackInfo &info);
  Napi::Value Read(const Napi::CallbackInfo &info);
  Napi::Value Close(const Napi::CallbackInfo &info);
  void CheckOpen(Napi::Env env) const;

  MemorySpan<DeviceMemory> span_;
  bool view_closed_ = false;
};

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_DEVICE_BUFFER_WRAP_H_
