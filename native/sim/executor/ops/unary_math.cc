// Sqrt Exp Log Erf Neg Abs Reciprocal Floor Ceil Round Sin Cos: one value in, one out, computed
// with the C library's correctly rounded (or nearly so) functions in the input's precision.
#include <cmath>
#include <type_traits>

#include "sim/executor/ops/elementwise.h"

namespace aclsim::exec::ops {
namespace {

enum class Fn { kSqrt, kExp, kLog, kErf, kNeg, kAbs, kReciprocal, kFloor, kCeil, kRound, kSin, kCos };

template <Fn kFn, typename T>
T Apply(T x) {
  if constexpr (kFn == Fn::kSqrt) return std::sqrt(x);
  if constexpr (kFn == Fn::kExp) return std::exp(x);
  if constexpr (kFn == Fn::kLog) return std::log(x);
  if constexpr (kFn == Fn::kErf) return std::erf(x);
  if constexpr (kFn == Fn::kReciprocal) return T(1) / x;
  if constexpr (kFn == Fn::kFloor) return std::floor(x);
  if constexpr (kFn == Fn::kCeil) return std::ceil(x);
  // Round half to even: nearbyint under the default rounding mode (never changed here).
  if constexpr (kFn == Fn::kRound) return std::nearbyint(x);
  if constexpr (kFn == Fn::kSin) return std::sin(x);
  if constexpr (kFn == Fn::kCos) return std::cos(x);
  if constexpr (kFn == Fn::kNeg) {
    if constexpr (std::is_integral_v<T>) {
      return static_cast<T>(-static_cast<std::make_unsigned_t<T>>(x));  // wraps at the minimum
    } else {
      return -x;
    }
  }
  if constexpr (kFn == Fn::kAbs) {
    if constexpr (std::is_unsigned_v<T>) {
      return x;
    } else if constexpr (std::is_integral_v<T>) {
      return x < 0 ? static_cast<T>(-static_cast<std::make_unsigned_t<T>>(x)) : x;
    } else {
      return std::fabs(x);
    }
  }
}

template <Fn kFn>
class MathKernel final : public UnaryKernel {
 protected:
  bool Supports(DType type) const override {
    if (type == DType::kFloat32 || type == DType::kFloat64) return true;
    if (kFn == Fn::kNeg) return IsSignedInteger(type);
    if (kFn == Fn::kAbs) return IsSignedInteger(type) || IsUnsignedInteger(type);
    return false;
  }
  Status Compute(const Tensor &x, Tensor *out, ThreadPool &pool) const override {
    return DispatchNumeric(x.dtype(), "input", [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_floating_point_v<T> || kFn == Fn::kNeg || kFn == Fn::kAbs) {
        UnaryMap<T, T>(x, out, pool, [](T v) { return Apply<kFn, T>(v); });
      }
      return Status::Ok();
    });
  }
};

}  // namespace

ACLSIM_REGISTER_OP("Sqrt", 1, kLatestOpset, MathKernel<Fn::kSqrt>);
ACLSIM_REGISTER_OP("Exp", 1, kLatestOpset, MathKernel<Fn::kExp>);
ACLSIM_REGISTER_OP("Log", 1, kLatestOpset, MathKernel<Fn::kLog>);
ACLSIM_REGISTER_OP("Erf", 9, kLatestOpset, MathKernel<Fn::kErf>);
ACLSIM_REGISTER_OP("Neg", 1, kLatestOpset, MathKernel<Fn::kNeg>);
ACLSIM_REGISTER_OP("Abs", 1, kLatestOpset, MathKernel<Fn::kAbs>);
ACLSIM_REGISTER_OP("Reciprocal", 1, kLatestOpset, MathKernel<Fn::kReciprocal>);
ACLSIM_REGISTER_OP("Floor", 1, kLatestOpset, MathKernel<Fn::kFloor>);
ACLSIM_REGISTER_OP("Ceil", 1, kLatestOpset, MathKernel<Fn::kCeil>);
ACLSIM_REGISTER_OP("Round", 11, kLatestOpset, MathKernel<Fn::kRound>);
ACLSIM_REGISTER_OP("Sin", 7, kLatestOpset, MathKernel<Fn::kSin>);
ACLSIM_REGISTER_OP("Cos", 7, kLatestOpset, MathKernel<Fn::kCos>);

}  // namespace aclsim::exec::ops
