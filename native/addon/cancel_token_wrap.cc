#include "cancel_token_wrap.h"

#include "addon_data.h"
#include "wrap_util.h"

namespace ascendcl {

void CancelTokenWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = DefineClass(env, "NativeCancelToken", {InstanceMethod<&CancelTokenWrap::Cancel>("cancel")});
  Data(env).cancel_token_class = Napi::Persistent(cls);
  exports.Set("NativeCancelToken", cls);
}

CancelFlag CancelTokenWrap::FlagOf(Napi::Env env, Napi::Value value) {
  if (value.IsUndefined() || value.IsNull()) return nullptr;
  if (!HasTag(env, value, tags::kCancelToken)) ThrowTypeError(env, "expected a NativeCancelToken");
  return Unwrap(value.As<Napi::Object>())->flag_;
}

CancelTokenWrap::CancelTokenWrap(const Napi::CallbackInfo &info)
    : Napi::ObjectWrap<CancelTokenWrap>(info), flag_(std::make_shared<std::atomic<bool>>(false)) {
  Tag(info.This().As<Napi::Object>(), tags::kCancelToken);
}

Napi::Value CancelTokenWrap::Cancel(const Napi::CallbackInfo &info) {
  flag_->store(true, std::memory_order_release);
  return info.Env().Undefined();
}

}  // namespace ascendcl
