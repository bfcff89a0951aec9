// Small helpers shared by the ObjectWrap classes: type tags, construction from C++, and argument
// access. Arguments are validated in lib/ before they reach the addon; the checks here only make
// sure that a caller who bypasses lib/ gets a TypeError instead of a crash.
#ifndef ASCENDCL_ADDON_WRAP_UTIL_H_
#define ASCENDCL_ADDON_WRAP_UTIL_H_

#include <napi.h>

#include <cstdint>
#include <memory>
#include <string>

#include "errors.h"

namespace ascendcl {

// napi_type_tag_object tags, so a foreign object is rejected instead of reinterpreted.
namespace tags {
constexpr napi_type_tag kRuntime = {0x6a1c2f0e4b7d4c11ULL, 0x9d3e5f7a8b1c2d01ULL};
constexpr napi_type_tag kDevice = {0x6a1c2f0e4b7d4c11ULL, 0x9d3e5f7a8b1c2d02ULL};
constexpr napi_type_tag kStream = {0x6a1c2f0e4b7d4c11ULL, 0x9d3e5f7a8b1c2d03ULL};
constexpr napi_type_tag kEvent = {0x6a1c2f0e4b7d4c11ULL, 0x9d3e5f7a8b1c2d04ULL};
constexpr napi_type_tag kDeviceBuffer = {0x6a1c2f0e4b7d4c11ULL, 0x9d3e5f7a8b1c2d05ULL};
constexpr napi_type_tag kHostBuffer = {0x6a1c2f0e4b7d4c11ULL, 0x9d3e5f7a8b1c2d06ULL};
constexpr napi_type_tag kCancelToken = {0x6a1c2f0e4b7d4c11ULL, 0x9d3e5f7a8b1c2d07ULL};
constexpr napi_type_tag kModel = {0x6a1c2f0e4b7d4c11ULL, 0x9d3e5f7a8b1c2d08ULL};
}  // namespace tags

inline bool HasTag(Napi::Env env, Napi::Value value, const napi_type_tag &tag) {
  if (!value.IsObject()) return false;
  bool result = false;
  return napi_check_object_type_tag(env, value, &tag, &result) == napi_ok && result;
}

inline void Tag(Napi::Object object, const napi_type_tag &tag) { napi_type_tag_object(object.Env(), object, &tag); }

// Wrapped objects are created from C++ only: the constructor receives the native core through
// an External holding a shared_ptr. A JS `new` without it is refused.
template <typename Core>
std::shared_ptr<Core> CoreFromConstructor(const Napi::CallbackInfo &info, const char *class_name) {
  if (info.Length() != 1 || !info[0].IsExternal()) {
    ThrowTypeError(info.Env(), std::string(class_name) + " objects are created by the API, not with new");
  }
  return *info[0].As<Napi::External<std::shared_ptr<Core>>>().Data();
}

template <typename Core>
Napi::Object NewWrapped(Napi::FunctionReference &constructor, std::shared_ptr<Core> core) {
  Napi::Env env = constructor.Env();
  std::shared_ptr<Core> holder = std::move(core);
  return constructor.New({Napi::External<std::shared_ptr<Core>>::New(env, &holder)});
}

// A non-negative integer argument (lib/ has checked the range already).
inline uint64_t ToUint(const Napi::CallbackInfo &info, size_t index, const char *name) {
  Napi::Value value = info[index];
  if (!value.IsNumber()) ThrowTypeError(info.Env(), std::string("expected a number for ") + name);
  double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= 0) || number > 9007199254740991.0 || number != static_cast<double>(static_cast<uint64_t>(number))) {
    ThrowRangeError(info.Env(), std::string("expected a non-negative integer for ") + name);
  }
  return static_cast<uint64_t>(number);
}

// A timeout in ms: -1 (forever) or a positive integer.
inline int64_t ToTimeout(const Napi::CallbackInfo &info, size_t index) {
  Napi::Value value = info[index];
  if (!value.IsNumber()) ThrowTypeError(info.Env(), "expected a number for timeoutMs");
  double number = value.As<Napi::Number>().DoubleValue();
  if (number == -1) return -1;
  if (!(number >= 1) || number > 2147483647.0 || number != static_cast<double>(static_cast<int64_t>(number))) {
    ThrowRangeError(info.Env(), "expected a positive integer or -1 for timeoutMs");
  }
  return static_cast<int64_t>(number);
}

// Bytes of a TypedArray, DataView or ArrayBuffer; false if `value` is none of them.
inline bool HostBytes(Napi::Env env, Napi::Value value, void **data, size_t *length) {
  bool is = false;
  if (napi_is_typedarray(env, value, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t count = 0, offset = 0;
    napi_value buffer;
    if (napi_get_typedarray_info(env, value, &type, &count, data, &buffer, &offset) != napi_ok) return false;
    size_t element = 1;
    switch (type) {
      case napi_int16_array: case napi_uint16_array: element = 2; break;
      case napi_int32_array: case napi_uint32_array: case napi_float32_array: element = 4; break;
      case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: element = 8; break;
      default: element = 1; break;
    }
    *length = count * element;
    return true;
  }
  if (napi_is_dataview(env, value, &is) == napi_ok && is) {
    napi_value buffer;
    size_t offset = 0;
    return napi_get_dataview_info(env, value, length, data, &buffer, &offset) == napi_ok;
  }
  if (napi_is_arraybuffer(env, value, &is) == napi_ok && is) {
    return napi_get_arraybuffer_info(env, value, data, length) == napi_ok;
  }
  return false;
}

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_WRAP_UTIL_H_
