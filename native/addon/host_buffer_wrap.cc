#include "host_buffer_wrap.h"

#include "addon_data.h"
#include "heap_trim.h"
#include "wrap_util.h"

namespace ascendcl {

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

Napi::Object HostBufferWrap::New(Napi::Env env, MemorySpan<HostMemory> span) {
  return NewWrapped(Data(env).host_buffer_class, std::make_shared<MemorySpan<HostMemory>>(std::move(span)));
}

HostBufferWrap *HostBufferWrap::From(Napi::Env env, Napi::Value value) {
  if (!HasTag(env, value, tags::kHostBuffer)) return nullptr;
  return Unwrap(value.As<Napi::Object>());
}

HostBufferWrap::HostBufferWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<HostBufferWrap>(info) {
  span_ = *CoreFromConstructor<MemorySpan<HostMemory>>(info, "HostBuffer");
  Tag(info.This().As<Napi::Object>(), tags::kHostBuffer);
  // No finalizer work: the memory is freed when the owner is closed, or when both this object
  // and every JS view of its ArrayBuffer are gone (HostMemory::Buffer).
}

// The memory itself goes with the last reference to it (HostMemory); nothing to close here.
HostBufferWrap::~HostBufferWrap() { NoteWrapperFinalized(Env()); }

Napi::Value HostBufferWrap::ByteLength(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), double(span_.length));
}

// Made on first use and held weakly: a buffer whose bytes nobody reads (staging buffers filled by
// copies, buffers dropped or closed in a loop) costs no ArrayBuffer, no typed array and no
// finalizer, so until the collector gets to it its wrapper is all that is left. While the caller
// holds the array it is the same object every time; once nothing holds it, a new one over the
// same memory is indistinguishable.
Napi::Value HostBufferWrap::Bytes(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (!bytes_.IsEmpty()) {
    Napi::Value held = bytes_.Value();
    if (!held.IsEmpty()) return held;
  }
  // Closed: the memory is gone, and stale arrays read as empty; so does a fresh one.
  if (closed()) return Napi::Uint8Array::New(env, 0);
  Napi::Uint8Array array = Napi::Uint8Array::New(env, span_.length, span_.memory->Buffer(env), span_.offset);
  bytes_ = Napi::Weak(array);
  return array;
}

Napi::Value HostBufferWrap::IsView(const Napi::CallbackInfo &info) { return Napi::Boolean::New(info.Env(), span_.is_view); }

Napi::Value HostBufferWrap::IsClosed(const Napi::CallbackInfo &info) { return Napi::Boolean::New(info.Env(), closed()); }

Napi::Value HostBufferWrap::View(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (closed()) ThrowClosed(env, "HostBuffer");
  uint64_t offset = ToUint(info, 0, "offset");
  uint64_t length = ToUint(info, 1, "length");
  MemorySpan<HostMemory> window;
  if (!span_.Window(offset, length, &window)) ThrowRangeError(env, "view out of range");
  return New(env, std::move(window));
}

Napi::Value HostBufferWrap::Close(const Napi::CallbackInfo &info) {
  if (span_.is_view) {
    view_closed_ = true;
  } else {
    span_.memory->Close();
  }
  return info.Env().Undefined();
}

}  // namespace ascendcl
