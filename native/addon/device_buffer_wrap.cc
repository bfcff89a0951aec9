#include "device_buffer_wrap.h"

#include "addon_data.h"
#include "heap_trim.h"
#include "wrap_util.h"

namespace ascendcl {

void DeviceBufferWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = DefineClass(env, "NativeDeviceBuffer",
                                   {
                                       InstanceAccessor<&DeviceBufferWrap::ByteLength>("byteLength"),
                                       InstanceAccessor<&DeviceBufferWrap::Address>("address"),
                                       InstanceAccessor<&DeviceBufferWrap::IsView>("isView"),
                                       InstanceAccessor<&DeviceBufferWrap::IsClosed>("isClosed"),
                                       InstanceMethod<&DeviceBufferWrap::View>("view"),
                                       InstanceMethod<&DeviceBufferWrap::Write>("write"),
                                       InstanceMethod<&DeviceBufferWrap::Read>("read"),
                                       InstanceMethod<&DeviceBufferWrap::Close>("close"),
                                   });
  Data(env).device_buffer_class = Napi::Persistent(cls);
  exports.Set("NativeDeviceBuffer", cls);
}

Napi::Object DeviceBufferWrap::New(Napi::Env env, MemorySpan<DeviceMemory> span) {
  return NewWrapped(Data(env).device_buffer_class, std::make_shared<MemorySpan<DeviceMemory>>(std::move(span)));
}

DeviceBufferWrap *DeviceBufferWrap::From(Napi::Env env, Napi::Value value) {
  if (!HasTag(env, value, tags::kDeviceBuffer)) return nullptr;
  return Unwrap(value.As<Napi::Object>());
}

DeviceBufferWrap::DeviceBufferWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<DeviceBufferWrap>(info) {
  span_ = *CoreFromConstructor<MemorySpan<DeviceMemory>>(info, "DeviceBuffer");
  Tag(info.This().As<Napi::Object>(), tags::kDeviceBuffer);
}

DeviceBufferWrap::~DeviceBufferWrap() {
  // GC backstop for an owner nobody closed; a view owns nothing.
  if (!span_.is_view && span_.memory != nullptr) span_.memory->Close();
  NoteWrapperFinalized(Env());
}

void DeviceBufferWrap::CheckOpen(Napi::Env env) const {
  if (closed()) ThrowClosed(env, "DeviceBuffer");
}

Napi::Value DeviceBufferWrap::ByteLength(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), double(span_.length));
}

Napi::Value DeviceBufferWrap::Address(const Napi::CallbackInfo &info) {
  return Napi::BigInt::New(info.Env(), static_cast<uint64_t>(reinterpret_cast<uintptr_t>(span_.memory->ptr()) + span_.offset));
}

Napi::Value DeviceBufferWrap::IsView(const Napi::CallbackInfo &info) { return Napi::Boolean::New(info.Env(), span_.is_view); }

Napi::Value DeviceBufferWrap::IsClosed(const Napi::CallbackInfo &info) { return Napi::Boolean::New(info.Env(), closed()); }

Napi::Value DeviceBufferWrap::View(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  uint64_t offset = ToUint(info, 0, "offset");
  uint64_t length = ToUint(info, 1, "length");
  MemorySpan<DeviceMemory> window;
  if (!span_.Window(offset, length, &window)) ThrowRangeError(env, "view out of range");
  return New(env, std::move(window));
}

Napi::Value DeviceBufferWrap::Write(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  void *src = nullptr;
  size_t bytes = 0;
  if (!HostBytes(env, info[0], &src, &bytes)) ThrowTypeError(env, "expected an ArrayBufferView or ArrayBuffer for src");
  uint64_t offset = ToUint(info, 1, "offset");
  if (offset > span_.length || bytes > span_.length - offset) ThrowRangeError(env, "write out of range");
  DeviceCore &device = span_.memory->device();
  device.Enter(env, "DeviceBuffer");
  if (bytes == 0) return env.Undefined();
  device.Check(env, Acl().aclrtMemcpy(data() + offset, span_.length - offset, src, bytes, ACL_MEMCPY_HOST_TO_DEVICE),
               "aclrtMemcpy");
  return env.Undefined();
}

Napi::Value DeviceBufferWrap::Read(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  void *dst = nullptr;
  size_t bytes = 0;
  if (!HostBytes(env, info[0], &dst, &bytes)) ThrowTypeError(env, "expected an ArrayBufferView for dst");
  uint64_t offset = ToUint(info, 1, "offset");
  if (offset > span_.length || bytes > span_.length - offset) ThrowRangeError(env, "read out of range");
  DeviceCore &device = span_.memory->device();
  device.Enter(env, "DeviceBuffer");
  if (bytes == 0) return info[0];
  device.Check(env, Acl().aclrtMemcpy(dst, bytes, data() + offset, bytes, ACL_MEMCPY_DEVICE_TO_HOST), "aclrtMemcpy");
  return info[0];
}

Napi::Value DeviceBufferWrap::Close(const Napi::CallbackInfo &info) {
  if (span_.is_view) {
    view_closed_ = true;
  } else {
    span_.memory->Close();
  }
  return info.Env().Undefined();
}

}  // namespace ascendcl
