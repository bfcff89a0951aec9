#include "errors.h"

#include "addon_data.h"

namespace ascendcl {

Napi::Value AclErrorValue(Napi::Env env, const AclFailure &failure) {
  AddonData &data = Data(env);
  Napi::Value recent =
      failure.has_recent_message ? Napi::String::New(env, failure.recent_message) : env.Null();
  Napi::Value device = failure.device_id >= 0 ? Napi::Number::New(env, failure.device_id) : env.Null();
  if (data.make_acl_error.IsEmpty()) {
    return Napi::Error::New(env, failure.api + " failed with " + std::to_string(failure.code)).Value();
  }
  return data.make_acl_error.Call({Napi::Number::New(env, failure.code), Napi::String::New(env, failure.api),
                                   Napi::String::New(env, failure.message), recent, device});
}

void ThrowAclError(Napi::Env env, const AclFailure &failure) { throw Napi::Error(env, AclErrorValue(env, failure)); }

Napi::Value ClosedErrorValue(Napi::Env env, const char *resource) {
  AddonData &data = Data(env);
  if (data.make_closed_error.IsEmpty()) return Napi::Error::New(env, std::string(resource) + " is closed").Value();
  return data.make_closed_error.Call({Napi::String::New(env, resource)});
}

void ThrowClosed(Napi::Env env, const char *resource) { throw Napi::Error(env, ClosedErrorValue(env, resource)); }

void ThrowLoadError(Napi::Env env, const std::string &message, const std::vector<acl::LoadAttempt> &attempts,
                    const std::string &advice) {
  AddonData &data = Data(env);
  Napi::Array list = Napi::Array::New(env, attempts.size());
  for (size_t i = 0; i < attempts.size(); ++i) {
    Napi::Object attempt = Napi::Object::New(env);
    attempt.Set("path", attempts[i].path);
    attempt.Set("reason", attempts[i].reason);
    list.Set(static_cast<uint32_t>(i), attempt);
  }
  if (data.make_load_error.IsEmpty()) throw Napi::Error::New(env, message);
  throw Napi::Error(env, data.make_load_error.Call({Napi::String::New(env, message), list, Napi::String::New(env, advice)}));
}

void ThrowTypeError(Napi::Env env, const std::string &message) { throw Napi::TypeError::New(env, message); }

void ThrowRangeError(Napi::Env env, const std::string &message) { throw Napi::RangeError::New(env, message); }

}  // namespace ascendcl
