#include "host_buffer_wrap.h"

#include "addon_data.h"
#include "wrap_util.h"

namespace ascendcl {
namespace {

struct ViewSpec {
  std::shared_ptr<HostMemory> memory;
  size_t offset;
  size_t length;
  bool is_view;
};

}  // namespace

void HostBufferWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = DefineClass(env, "NativeHostBuffer",
                                   {
                                       InstanceAccessor<&HostBufferWrap::ByteLength>("byteLength"),
                                       InstanceAccessor<&HostBufferWrap::Bytes>("bytes"),
                                       InstanceAccessor<&HostBufferWrap::IsView>("isView"),
                                       InstanceAccessor<&HostBufferWrap::IsClosed>("isClosed"),
                                       InstanceMethod<&HostBufferWrap::View>("view"),
                                       InstanceMethod<&HostBufferWrap::Close>("close"),
                                   });
  Data(env).host_buffer_class = Napi::Persistent(cls);
  exports.Set("NativeHostBuffer", cls);
}

Napi::Object HostBufferWrap::New(Napi::Env env, std::shared_ptr<HostMemory> memory, size_t offset, size_t length) {
  bool is_view = length != SIZE_MAX;
  if (!is_view) length = memory->bytes();
  auto spec = std::make_shared<ViewSpec>(ViewSpec{std::move(memory), offset, length, is_view});
  return NewWrapped(Data(env).host_buffer_class, spec);
}

HostBufferWrap *HostBufferWrap::From(Napi::Env env, Napi::Value value) {
  if (!HasTag(env, value, tags::kHostBuffer)) return nullptr;
  return Unwrap(value.As<Napi::Object>());
}

HostBufferWrap::HostBufferWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<HostBufferWrap>(info) {
  Napi::Env env = info.Env();
  std::shared_ptr<ViewSpec> spec = CoreFromConstructor<ViewSpec>(info, "HostBuffer");
  memory_ = spec->memory;
  offset_ = spec->offset;
  length_ = spec->length;
  is_view_ = spec->is_view;
  Napi::ArrayBuffer buffer = memory_->Buffer(env);
  bytes_ = Napi::Persistent(Napi::Uint8Array::New(env, length_, buffer, offset_));
  Tag(info.This().As<Napi::Object>(), tags::kHostBuffer);
  // No finalizer work: the memory is freed when the owner is closed, or when both this object
  // and every JS view of its ArrayBuffer are gone (HostMemory::Buffer).
}

Napi::Value HostBufferWrap::ByteLength(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), double(length_));
}

Napi::Value HostBufferWrap::Bytes(const Napi::CallbackInfo &info) { return bytes_.Value(); }

Napi::Value HostBufferWrap::IsView(const Napi::CallbackInfo &info) { return Napi::Boolean::New(info.Env(), is_view_); }

Napi::Value HostBufferWrap::IsClosed(const Napi::CallbackInfo &info) { return Napi::Boolean::New(info.Env(), closed()); }

Napi::Value HostBufferWrap::View(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (closed()) ThrowClosed(env, "HostBuffer");
  uint64_t offset = ToUint(info, 0, "offset");
  uint64_t length = ToUint(info, 1, "length");
  if (offset > length_ || length > length_ - offset) ThrowRangeError(env, "view out of range");
  return New(env, memory_, offset_ + offset, length);
}

Napi::Value HostBufferWrap::Close(const Napi::CallbackInfo &info) {
  if (is_view_) {
    view_closed_ = true;
  } else {
    memory_->Close();
  }
  return info.Env().Undefined();
}

}  // namespace ascendcl
