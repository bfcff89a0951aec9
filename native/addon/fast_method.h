// Per-object native methods for the hottest calls (event.query, stream.query).
//
// An ObjectWrap method pays for finding its receiver: node-addon-api builds a CallbackInfo
// (napi_get_cb_info plus napi_get_new_target) and ObjectWrap::Unwrap looks the native pointer up
// under a private symbol, which together cost several times an empty Node-API call. A fast
// method is instead a plain Node-API function created for one object, defined on that object so
// it shadows the prototype's method of the same name, with the object's core as its data: the
// call reads the data pointer and nothing else. The function owns a reference to the core (freed
// by the function's finalizer), so even a detached copy of it can never reach freed memory.
#ifndef ASCENDCL_ADDON_FAST_METHOD_H_
#define ASCENDCL_ADDON_FAST_METHOD_H_

#include <napi.h>

#include <memory>

namespace ascendcl {

// Defines `name` on `object` as a non-enumerable method calling body(env, core) -> napi_value.
// C++ exceptions from body (Napi::Error from the Throw* helpers) become JS exceptions.
template <typename Core, napi_value (*Body)(napi_env, Core &)>
void DefineFastMethod(Napi::Object object, const char *name, const std::shared_ptr<Core> &core) {
  napi_env env = object.Env();
  auto *holder = new std::shared_ptr<Core>(core);
  napi_callback callback = [](napi_env env, napi_callback_info info) -> napi_value {
    void *data = nullptr;
    size_t argc = 0;
    if (napi_get_cb_info(env, info, &argc, nullptr, nullptr, &data) != napi_ok) return nullptr;
    try {
      return Body(env, **static_cast<std::shared_ptr<Core> *>(data));
    } catch (const Napi::Error &error) {
      error.ThrowAsJavaScriptException();
      return nullptr;
    }
  };
  napi_value fn;
  NAPI_THROW_IF_FAILED_VOID(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, holder, &fn));
  NAPI_THROW_IF_FAILED_VOID(
      env, napi_add_finalizer(
               env, fn, holder,
               [](napi_env, void *data, void *) { delete static_cast<std::shared_ptr<Core> *>(data); }, nullptr,
               nullptr));
  napi_property_descriptor property = {name, nullptr, nullptr, nullptr, nullptr, fn, napi_default, nullptr};
  NAPI_THROW_IF_FAILED_VOID(env, napi_define_properties(env, object, 1, &property));
}

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_FAST_METHOD_H_
