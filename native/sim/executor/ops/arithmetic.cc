// Add, Sub, Mul, Div, Pow. Integer arithmetic wraps (two's complement, as numpy and
// onnxruntime do) instead of overflowing; integer division truncates toward zero and division by
// zero is an error (hardware would trap).
#include <atomic>
#include <cmath>
#include <type_traits>

#include "sim/executor/ops/convert.h"
#include "sim/executor/ops/elementwise.h"

namespace aclsim::exec::ops {
namespace {

bool NumericType(DType type) {
  switch (type) {
    case DType::kFloat32: case DType::kFloat64: case DType::kInt8: case DType::kUint8: case DType::kInt16:
    case DType::kUint16: case DType::kInt32: case DType::kUint32: case DType::kInt64: case DType::kUint64:
      return true;
    default: return false;
  }
}

template <int kOp>  // 0 Add, 1 Sub, 2 Mul
class AddSubMulKernel final : public BinaryKernel {
 protected:
  bool Supports(DType type) const override { return NumericType(type); }
  // A residual Add followed by Relu (fusion.h) clamps in the same pass.
  bool FuseRelu() override {
    relu_ = kOp == 0;
    return relu_;
  }
  Status Compute(const Tensor &a, const Tensor &b, Tensor *out, ThreadPool &pool) const override {
    return DispatchNumeric(a.dtype(), "input", [&](auto tag) {
      using T = decltype(tag);
      if constexpr (kOp == 0) {
        if (relu_) {
          BinaryBroadcast<T, T, T>(a, b, out, pool, [](T x, T y) {
            const T sum = WrappingAdd(x, y);
            return sum > T(0) ? sum : T(0);
          });
          return Status::Ok();
        }
        BinaryBroadcast<T, T, T>(a, b, out, pool, [](T x, T y) { return WrappingAdd(x, y); });
      }
      if constexpr (kOp == 1) BinaryBroadcast<T, T, T>(a, b, out, pool, [](T x, T y) { return WrappingSub(x, y); });
      if constexpr (kOp == 2) BinaryBroadcast<T, T, T>(a, b, out, pool, [](T x, T y) { return WrappingMul(x, y); });
      return Status::Ok();
    });
  }

 private:
  bool relu_ = false;
};

class DivKernel final : public BinaryKernel {
 protected:
  bool Supports(DType type) const override { return NumericType(type); }
  Status Compute(const Tensor &a, const Tensor &b, Tensor *out, ThreadPool &pool) const override {
    return DispatchNumeric(a.dtype(), "input", [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_floating_point_v<T>) {
        BinaryBroadcast<T, T, T>(a, b, out, pool, [](T x, T y) { return x / y; });
        return Status::Ok();
      } else {
        std::atomic<bool> by_zero{false};
        BinaryBroadcast<T, T, T>(a, b, out, pool, [&by_zero](T x, T y) -> T {
          if (y == 0) {
            by_zero.store(true, std::memory_order_relaxed);
            return 0;
          }
          if constexpr (std::is_signed_v<T>) {
            if (y == -1) return WrappingSub<T>(0, x);  // INT_MIN / -1 would trap
          }
          return static_cast<T>(x / y);
        });
        if (by_zero.load()) return ShapeError("integer division by zero");
        return Status::Ok();
      }
    });
  }
};

// Integer power by squaring, wrapping like repeated multiplication. Negative exponents give the
// integer part of the true result (0 unless the base is 1 or -1).
template <typename T, typename E>
T IntegerPower(T base, E exponent) {
  if constexpr (std::is_signed_v<E>) {
    if (exponent < 0) {
      if (base == 1) return 1;
      if constexpr (std::is_signed_v<T>) {
        if (base == -1) return (exponent % 2 == 0) ? 1 : -1;
      }
      return 0;
    }
  }
  T result = 1;
  uint64_t e = static_cast<uint64_t>(exponent);
  while (e != 0) {
    if (e & 1) result = WrappingMul(result, base);
    base = WrappingMul(base, base);
    e >>= 1;
  }
  return result;
}

class PowKernel final : public BinaryKernel {
 protected:
  bool Supports(DType type) const override { return NumericType(type); }
  bool SameTypes() const override { return false; }
  Status Compute(const Tensor &a, const Tensor &b, Tensor *out, ThreadPool &pool) const override {
    return DispatchNumeric(a.dtype(), "base", [&](auto base_tag) {
      using T = decltype(base_tag);
      return DispatchNumeric(b.dtype(), "exponent", [&](auto exp_tag) {
        using E = decltype(exp_tag);
        if constexpr (std::is_integral_v<T> && std::is_integral_v<E>) {
          BinaryBroadcast<T, E, T>(a, b, out, pool, [](T x, E y) { return IntegerPower(x, y); });
        } else if constexpr (std::is_same_v<T, float> && !std::is_same_v<E, double>) {
          BinaryBroadcast<T, E, T>(a, b, out, pool, [](T x, E y) { return std::pow(x, static_cast<float>(y)); });
        } else {
          BinaryBroadcast<T, E, T>(a, b, out, pool, [](T x, E y) {
            return ConvertValue<T>(std::pow(static_cast<double>(x), static_cast<double>(y)));
          });
        }
        return Status::Ok();
      });
    });
  }
};

}  // namespace

ACLSIM_REGISTER_OP("Add", 1, kLatestOpset, AddSubMulKernel<0>);
ACLSIM_REGISTER_OP("Sub", 1, kLatestOpset, AddSubMulKernel<1>);
ACLSIM_REGISTER_OP("Mul", 1, kLatestOpset, AddSubMulKernel<2>);
ACLSIM_REGISTER_OP("Div", 1, kLatestOpset, DivKernel);
ACLSIM_REGISTER_OP("Pow", 1, kLatestOpset, PowKernel);

}  // namespace aclsim::exec::ops
