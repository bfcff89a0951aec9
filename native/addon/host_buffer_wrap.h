// NativeHostBuffer: pinned host memory (aclrtMallocHost) with a Uint8Array over the memory
// itself, or a non-owning view of it. Sync: all methods. Throws: AclError, AclClosedError.
#ifndef ASCENDCL_ADDON_HOST_BUFFER_WRAP_H_
#define ASCENDCL_ADDON_HOST_BUFFER_WRAP_H_

#include <napi.h>

#include <memory>

#include "memory.h"

namespace ascendcl {

class HostBufferWrap : public Napi::ObjectWrap<HostBufferWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  static Napi::Object New(Napi::Env env, MemorySpan<HostMemory> span);
  static HostBufferWrap *From(Napi::Env env, Napi::Value value);

  explicit HostBufferWrap(const Napi::CallbackInfo &info);
  ~HostBufferWrap() override;

  const std::shared_ptr<HostMemory> &memory() const { return span_.memory; }
  size_t length() const { return span_.length; }
  bool closed() const { return view_closed_ || span_.memory->closed(); }
  char *data() const { return span_.data(); }

 private:
  Napi::Value ByteLength(const Napi::CallbackInfo &info);
  Napi::Value Bytes(const Napi::CallbackInfo &info);
  Napi::Value IsView(const Napi::CallbackInfo &info);
  Napi::Value IsClosed(const Napi::CallbackInfo &info);
  Napi::Value View(const Napi::CallbackInfo &info);
  Napi::Value Close(const Napi::CallbackInfo &info);

  MemorySpan<HostMemory> span_;
  bool view_closed_ = false;
  Napi::Reference<Napi::Uint8Array> bytes_;  // weak; made on first read (Bytes)
};

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_HOST_BUFFER_WRAP_H_
