// NativeCancelToken: how lib/ tells a running wait that its AbortSignal fired.
#ifndef ASCENDCL_ADDON_CANCEL_TOKEN_WRAP_H_
#define ASCENDCL_ADDON_CANCEL_TOKEN_WRAP_H_

#include <napi.h>

#include "async_wait.h"

namespace ascendcl {

class CancelTokenWrap : public Napi::ObjectWrap<CancelTokenWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  // The flag of a NativeCancelToken, or null for undefined.
  static CancelFlag FlagOf(Napi::Env env, Napi::Value value);

  explicit CancelTokenWrap(const Napi::CallbackInfo &info);

 private:
  Napi::Value Cancel(const Napi::CallbackInfo &info);
  CancelFlag flag_;
};

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_CANCEL_TOKEN_WRAP_H_
