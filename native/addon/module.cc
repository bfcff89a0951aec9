// Module entry: registers the classes, takes lib/'s error factories, and closes whatever is
// still open when the environment (main thread or worker) is torn down.
#include <napi.h>

#include "acl/acl_errors.h"
#include "common/float16.h"
#include "addon_data.h"
#include "cancel_token_wrap.h"
#include "device_buffer_wrap.h"
#include "device_wrap.h"
#include "event_wrap.h"
#include "heap_trim.h"
#include "host_buffer_wrap.h"
#include "library_probe.h"
#include "model_wrap.h"
#include "runtime_core.h"
#include "runtime_wrap.h"
#include "stream_wrap.h"

namespace ascendcl {

AddonData &Data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

namespace {

// configure({ makeAclError, makeClosedError, makeLoadError, invokeHostFunc })
Napi::Value Configure(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "expected an object");
  Napi::Object hooks = info[0].As<Napi::Object>();
  AddonData &data = Data(env);
  auto take = [&](const char *name, Napi::FunctionReference &slot) {
    Napi::Value value = hooks.Get(name);
    if (!value.IsFunction()) throw Napi::TypeError::New(env, std::string("expected a function for ") + name);
    slot = Napi::Persistent(value.As<Napi::Function>());
  };
  take("makeAclError", data.make_acl_error);
  take("makeClosedError", data.make_closed_error);
  take("makeLoadError", data.make_load_error);
  take("invokeHostFunc", data.invoke_host_func);
  return env.Undefined();
}

// [[code, name, hint | null, deviceFatal], ...]: the one error table, shared with lib/.
Napi::Value ErrorTable(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int count = 0;
  const acl::ErrorRow *rows = acl::ErrorTable(&count);
  Napi::Array out = Napi::Array::New(env, count);
  for (int i = 0; i < count; ++i) {
    Napi::Array row = Napi::Array::New(env, 4);
    row.Set(0u, rows[i].code);
    row.Set(1u, rows[i].name);
    const char *hint = acl::ErrorHint(rows[i].code);
    row.Set(2u, hint != nullptr ? Napi::Value(Napi::String::New(env, hint)) : env.Null());
    row.Set(3u, acl::IsDeviceFatal(rows[i].code));
    out.Set(static_cast<uint32_t>(i), row);
  }
  return out;
}

// float16FromFloat32(src: Float32Array, dst: Uint16Array) / float16ToFloat32(src, dst): lib/
// checks that the lengths match.
template <typename From, typename To, napi_typedarray_type kFrom, napi_typedarray_type kTo>
Napi::Value Convert(const Napi::CallbackInfo &info, void (*convert)(const From *, To *, size_t)) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || !info[1].IsTypedArray()) throw Napi::TypeError::New(env, "expected typed arrays");
  Napi::TypedArray src = info[0].As<Napi::TypedArray>();
  Napi::TypedArray dst = info[1].As<Napi::TypedArray>();
  if (src.TypedArrayType() != kFrom || dst.TypedArrayType() != kTo || src.ElementLength() != dst.ElementLength()) {
    throw Napi::TypeError::New(env, "mismatched typed arrays");
  }
  auto *from = reinterpret_cast<const From *>(static_cast<uint8_t *>(src.ArrayBuffer().Data()) + src.ByteOffset());
  auto *to = reinterpret_cast<To *>(static_cast<uint8_t *>(dst.ArrayBuffer().Data()) + dst.ByteOffset());
  convert(from, to, src.ElementLength());
  return dst;
}

Napi::Value Float16FromFloat32(const Napi::CallbackInfo &info) {
  return Convert<float, uint16_t, napi_float32_array, napi_uint16_array>(info, &FloatsToHalves);
}

Napi::Value Float16ToFloat32(const Napi::CallbackInfo &info) {
  return Convert<uint16_t, float, napi_uint16_array, napi_float32_array>(info, &HalvesToFloats);
}

void CloseEverything(AddonData *data) {
  data->tearing_down = true;
  // Copy: closing a runtime removes it from the set.
  std::set<RuntimeCore *> open = data->runtimes;
  for (RuntimeCore *runtime : open) runtime->Close();
  CloseHeapTrimmer(data->heap_trimmer);
  data->heap_trimmer = nullptr;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto *data = new AddonData();
  env.SetInstanceData<AddonData>(data);
  data->heap_trimmer = CreateHeapTrimmer(env);
  RuntimeWrap::Init(env, exports);
  DeviceWrap::Init(env, exports);
  StreamWrap::Init(env, exports);
  EventWrap::Init(env, exports);
  DeviceBufferWrap::Init(env, exports);
  HostBufferWrap::Init(env, exports);
  CancelTokenWrap::Init(env, exports);
  ModelWrap::Init(env, exports);
  exports.Set("configure", Napi::Function::New(env, Configure, "configure"));
  exports.Set("probeLibraries", Napi::Function::New(env, ProbeLibraries, "probeLibraries"));
  exports.Set("errorTable", Napi::Function::New(env, ErrorTable, "errorTable"));
  exports.Set("float16FromFloat32", Napi::Function::New(env, Float16FromFloat32, "float16FromFloat32"));
  exports.Set("float16ToFloat32", Napi::Function::New(env, Float16ToFloat32, "float16ToFloat32"));
  // Exit or worker termination with resources open: close them in order, discarding queued
  // work, so nothing runs against a torn-down environment.
  env.AddCleanupHook([data] { CloseEverything(data); });
  return exports;
}

}  // namespace
}  // namespace ascendcl

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return ascendcl::Init(env, exports); }

NODE_API_MODULE(NODE_GYP_MODULE_NAME, InitModule)
