// Element conversions with defined results for every input (C++ leaves float-to-integer
// conversion of out-of-range values undefined, and sanitizers rightly complain):
//   - float to integer truncates toward zero; NaN becomes 0; values beyond int64 saturate to its
//     range, and narrower integer types then keep the low bits, as x86 conversion (and so
//     onnxruntime) does for in-range values of int32 (300.0 -> uint8 44, -1.0 -> uint8 255);
//   - integer to integer keeps the low bits (two's complement), as numpy's astype;
//   - anything to bool is `!= 0` (NaN is true); bool to number is 0 or 1;
//   - float to float rounds to nearest even (double to float16 without double rounding).
#ifndef ASCENDCL_SIM_EXECUTOR_OPS_CONVERT_H_
#define ASCENDCL_SIM_EXECUTOR_OPS_CONVERT_H_

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

namespace aclsim::exec::ops {

// float -> int64 with NaN -> 0 and saturation at the int64 range.
template <typename F>
inline int64_t SaturatingToInt64(F value) {
  if (std::isnan(value)) return 0;
  if (value >= static_cast<F>(9223372036854775807.0)) return std::numeric_limits<int64_t>::max();
  if (value <= static_cast<F>(-9223372036854775808.0)) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(value);
}

template <typename F>
inline uint64_t FloatToUint64(F value) {
  if (std::isnan(value)) return 0;
  if (value < 0) return static_cast<uint64_t>(SaturatingToInt64(value));
  if (value >= static_cast<F>(18446744073709551616.0)) return std::numeric_limits<uint64_t>::max();
  return static_cast<uint64_t>(value);
}

// Converts one value from From to To under the rules above (To and From are C++ arithmetic
// types; bool tensors use uint8_t and go through ToBool/FromBool instead).
template <typename To, typename From>
inline To ConvertValue(From value) {
  if constexpr (std::is_floating_point_v<To>) {
    return static_cast<To>(value);
  } else if constexpr (std::is_floating_point_v<From>) {
    if constexpr (std::is_same_v<To, uint64_t>) {
      return FloatToUint64(value);
    } else {
      return static_cast<To>(SaturatingToInt64(value));
    }
  } else {
    return static_cast<To>(value);  // integer to integer: modular since C++20
  }
}

// double -> float rounded to odd (the last bit records inexactness), so that a following
// float -> float16 rounding to nearest even gives the correctly rounded double -> float16.
inline float DoubleToFloatRoundToOdd(double value) {
  float f = static_cast<float>(value);
  if (!std::isfinite(f) || static_cast<double>(f) == value || std::isnan(value)) return f;
  // Truncate toward zero, then set the lowest mantissa bit.
  if (std::fabs(static_cast<double>(f)) > std::fabs(value)) f = std::nextafter(f, 0.0f);
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  bits |= 1;
  std::memcpy(&f, &bits, 4);
  return f;
}

// Integer arithmetic that wraps (two's complement, as numpy and onnxruntime do) instead of
// overflowing, which is undefined for signed types in C++; plain arithmetic for floats.
template <typename T>
using WrapType = std::conditional_t<std::is_signed_v<T>, std::make_unsigned_t<T>, T>;

// Wrapping arithmetic for integers (signed overflow is undefined in C++); plain for floats.
template <typename T>
T WrappingAdd(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(static_cast<WrapType<T>>(a) + static_cast<WrapType<T>>(b));
  } else {
    return a + b;
  }
}
template <typename T>
T WrappingSub(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(static_cast<WrapType<T>>(a) - static_cast<WrapType<T>>(b));
  } else {
    return a - b;
  }
}
template <typename T>
T WrappingMul(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    // Promote to at least unsigned int so that uint16 * uint16 does not overflow a signed int.
    using U = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, WrapType<T>>;
    return static_cast<T>(static_cast<U>(static_cast<WrapType<T>>(a)) * static_cast<U>(static_cast<WrapType<T>>(b)));
  } else {
    return a * b;
  }
}

}  // namespace aclsim::exec::ops

#endif  // ASCENDCL_SIM_EXECUTOR_OPS_CONVERT_H_
