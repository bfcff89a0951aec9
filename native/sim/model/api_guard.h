// The guard of export.h for the model API's other return types (sizes, pointers, enums, floats,
// void), and the executor-initialised check of the functions that load, run or look up models.
#ifndef ASCENDCL_SIM_MODEL_API_GUARD_H_
#define ASCENDCL_SIM_MODEL_API_GUARD_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

#include "sim/api_common.h"

namespace aclsim::model {

class Model;

// Runs `body` as exported function `api` (see Guarded): `failed` when faulted or on an exception.
template <typename T, typename Body>
T GuardedValue(const char *api, unsigned flags, T failed, Body &&body) noexcept {
  ApiScope scope(api);
  try {
    if (EnterApi(api, flags) != 0) return failed;
    return body();
  } catch (...) {
    CurrentExceptionToError(api);
    return failed;
  }
}

template <typename Body>
void GuardedVoid(const char *api, unsigned flags, Body &&body) noexcept {
  ApiScope scope(api);
  try {
    if (EnterApi(api, flags) != 0) return;
    body();
  } catch (...) {
    CurrentExceptionToError(api);
  }
}

// An enum return value from a raw int: a value outside the enumerators is still returned bit for
// bit (the runtime stores what callers gave it), without a C++ conversion that would be undefined.
template <typename E>
E EnumFromRaw(int raw) {
  static_assert(std::is_enum_v<E> && sizeof(E) == sizeof(int));
  E value;
  std::memcpy(&value, &raw, sizeof value);
  return value;
}

// 145001 (ACL_ERROR_GE_EXEC_NOT_INIT) before aclInit: the model executor is not initialised.
aclError RequireExecutor();

// The loaded model `id`: 100011 when there is none (never loaded, unloaded, released by a
// device reset or aclFinalize).
aclError FindLoadedModel(uint32_t id, std::shared_ptr<Model> *out);

}  // namespace aclsim::model

#endif  // ASCENDCL_SIM_MODEL_API_GUARD_H_
