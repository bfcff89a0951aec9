// NativeEvent: the JS object behind lib/'s Event.
// Sync: all but synchronize (Promise). Throws: AclError, AclClosedError.
#ifndef ASCENDCL_ADDON_EVENT_WRAP_H_
#define ASCENDCL_ADDON_EVENT_WRAP_H_

#include <napi.h>

#include <memory>

#include "event_core.h"

namespace ascendcl {

class EventWrap : public Napi::ObjectWrap<EventWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  static Napi::Object New(Napi::Env env, std::shared_ptr<EventCore> core);
  static EventWrap *From(Napi::Env env, Napi::Value value);

  explicit EventWrap(const Napi::CallbackInfo &info);
  ~EventWrap() override;

  const std::shared_ptr<EventCore> &core() const { return core_; }
  // The core, entered on its device; throws AclClosedError if closed.
  EventCore &Open(Napi::Env env) const;

 private:
  Napi::Value Timing(const Napi::CallbackInfo &info);
  Napi::Value IsClosed(const Napi::CallbackInfo &info);
  Napi::Value Query(const Napi::CallbackInfo &info);
  Napi::Value Synchronize(const Napi::CallbackInfo &info);
  Napi::Value SynchronizeSync(const Napi::CallbackInfo &info);
  Napi::Value ElapsedSince(const Napi::CallbackInfo &info);
  Napi::Value Close(const Napi::CallbackInfo &info);

  std::shared_ptr<EventCore> core_;
  bool fast_query_installed_ = false;
};

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_EVENT_WRAP_H_
