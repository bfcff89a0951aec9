// Relu LeakyRelu Sigmoid Tanh HardSigmoid HardSwish Gelu Clip.
#include <cmath>
#include <limits>
#include <type_traits>

#include "sim/executor/ops/convert.h"
#include "sim/executor/ops/elementwise.h"

namespace aclsim::exec::ops {
namespace {

class ReluKernel final : public UnaryKernel {
 protected:
  bool Supports(DType type) const override {
    return type == DType::kFloat32 || type == DType::kFloat64 || IsSignedInteger(type);
  }
  Status Compute(const Tensor &x, Tensor *out, ThreadPool &pool) const override {
    return DispatchNumeric(x.dtype(), "input", [&](auto tag) {
      using T = decltype(tag);
      UnaryMap<T, T>(x, out, pool, [](T v) { return v < T(0) ? T(0) : v; });  // NaN stays NaN
      return Status::Ok();
    });
  }
};

// Float-only activations with up to two float attributes.
enum class Act { kLeakyRelu, kSigmoid, kTanh, kHardSigmoid, kHardSwish, kGelu };

template <Act kAct>
class ActivationKernel final : public UnaryKernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    EXEC_RETURN_IF_ERROR(UnaryKernel::Init(node, constants));
    if (kAct == Act::kLeakyRelu) alpha_ = node.attributes.Float("alpha", 0.01f);
    if (kAct == Act::kHardSigmoid) {
      alpha_ = node.attributes.Float("alpha", 0.2f);
      beta_ = node.attributes.Float("beta", 0.5f);
    }
    if (kAct == Act::kGelu) {
      std::string approximate = node.attributes.String("approximate", "none");
      if (approximate != "none" && approximate != "tanh") {
        return InvalidModel("Gelu: approximate='%s' is not one of 'none', 'tanh'", approximate.c_str());
      }
      tanh_ = approximate == "tanh";
    }
    return Status::Ok();
  }

 protected:
  Status Compute(const Tensor &x, Tensor *out, ThreadPool &pool) const override {
    return DispatchFloat(x.dtype(), "input", [&](auto tag) {
      using T = decltype(tag);
      const T alpha = static_cast<T>(alpha_);
      const T beta = static_cast<T>(beta_);
      if constexpr (kAct == Act::kLeakyRelu) {
        UnaryMap<T, T>(x, out, pool, [alpha](T v) { return v < T(0) ? alpha * v : v; });
      } else if constexpr (kAct == Act::kSigmoid) {
        // exp of a negative argument only: no overflow for large |v|.
        UnaryMap<T, T>(x, out, pool, [](T v) {
          if (v >= T(0)) return T(1) / (T(1) + std::exp(-v));
          const T e = std::exp(v);
          return e / (T(1) + e);
        });
      } else if constexpr (kAct == Act::kTanh) {
        UnaryMap<T, T>(x, out, pool, [](T v) { return std::tanh(v); });
      } else if constexpr (kAct == Act::kHardSigmoid) {
        UnaryMap<T, T>(x, out, pool,
                       [alpha, beta](T v) { return std::fmax(T(0), std::fmin(T(1), alpha * v + beta)); });
      } else if constexpr (kAct == Act::kHardSwish) {
        UnaryMap<T, T>(x, out, pool, [](T v) {
          return v * std::fmax(T(0), std::fmin(T(1), v * static_cast<T>(1.0 / 6.0) + T(0.5)));
        });
      } else if constexpr (kAct == Act::kGelu) {
        if (tanh_) {
          const T k = static_cast<T>(0.7978845608028654);  // sqrt(2 / pi)
          UnaryMap<T, T>(x, out, pool, [k](T v) {
            return T(0.5) * v * (T(1) + std::tanh(k * (v + static_cast<T>(0.044715) * v * v * v)));
          });
        } else {
          const T rsqrt2 = static_cast<T>(0.7071067811865476);
          UnaryMap<T, T>(x, out, pool, [rsqrt2](T v) { return T(0.5) * v * (T(1) + std::erf(v * rsqrt2)); });
        }
      }
      return Status::Ok();
    });
  }

 private:
  float alpha_ = 0;
  float beta_ = 0;
  bool tanh_ = false;
};

// Clip: bounds as attributes (opset < 11) or optional scalar inputs of the input's type.
class ClipKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    attribute_bounds_ = node.opset < 11;
    if (attribute_bounds_) {
      min_ = node.attributes.Float("min", -std::numeric_limits<float>::infinity());
      max_ = node.attributes.Float("max", std::numeric_limits<float>::infinity());
      return CheckArity(node, 1, 1, 1, 1, 1);
    }
    return CheckArity(node, 1, 3, 1, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    SameAsInput(ctx, 0, 0);
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    for (size_t i = 1; i < 3; ++i) {
      const Tensor *bound = ctx.input(i);
      if (bound == nullptr) continue;
      if (bound->dtype() != x.dtype()) {
        return TypeError("Clip: %s is %s but the input is %s", i == 1 ? "min" : "max", DTypeName(bound->dtype()),
                         DTypeName(x.dtype()));
      }
      if (bound->elements() != 1) {
        return ShapeError("Clip: %s must be a scalar, has shape %s", i == 1 ? "min" : "max",
                          ShapeToString(bound->shape()).c_str());
      }
    }
    Tensor *out = nullptr;
    if (x.dtype() == DType::kFloat16) {
      Tensor wide = WidenHalf(x);
      float lo = attribute_bounds_ ? min_ : -std::numeric_limits<float>::infinity();
      float hi = attribute_bounds_ ? max_ : std::numeric_limits<float>::infinity();
      if (ctx.input(1) != nullptr) lo = WidenHalf(*ctx.input(1)).data<float>()[0];
      if (ctx.input(2) != nullptr) hi = WidenHalf(*ctx.input(2)).data<float>()[0];
      Tensor result(DType::kFloat32, x.shape());
      ClipInto<float>(wide, lo, hi, &result, ctx.pool());
      EXEC_RETURN_IF_ERROR(ctx.Allocate(0, DType::kFloat16, x.shape(), &out));
      return NarrowToHalf(result, out);
    }
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, x.dtype(), x.shape(), &out));
    return DispatchNumeric(x.dtype(), "Clip input", [&](auto tag) {
      using T = decltype(tag);
      T lo = std::numeric_limits<T>::lowest();
      T hi = std::numeric_limits<T>::max();
      if constexpr (std::is_floating_point_v<T>) {
        lo = -std::numeric_limits<T>::infinity();
        hi = std::numeric_limits<T>::infinity();
      }
      if (attribute_bounds_) {
        lo = ConvertValue<T>(min_);
        hi = ConvertValue<T>(max_);
      }
      if (ctx.input(1) != nullptr) lo = ctx.input(1)->data<T>()[0];
      if (ctx.input(2) != nullptr) hi = ctx.input(2)->data<T>()[0];
      ClipInto<T>(x, lo, hi, out, ctx.pool());
      return Status::Ok();
    });
  }

 private:
  // min(max(x, lo), hi): when lo > hi everything becomes hi, as numpy.clip; NaN stays NaN.
  template <typename T>
  static void ClipInto(const Tensor &x, T lo, T hi, Tensor *out, ThreadPool &pool) {
    UnaryMap<T, T>(x, out, pool, [lo, hi](T v) {
      T r = v < lo ? lo : v;
      return r > hi ? hi : r;
    });
  }

  bool attribute_bounds_ = false;
  float min_ = 0;
  float max_ = 0;
};

}  // namespace

ACLSIM_REGISTER_OP("Relu", 1, kLatestOpset, ReluKernel);
ACLSIM_REGISTER_OP("LeakyRelu", 1, kLatestOpset, ActivationKernel<Act::kLeakyRelu>);
ACLSIM_REGISTER_OP("Sigmoid", 1, kLatestOpset, ActivationKernel<Act::kSigmoid>);
ACLSIM_REGISTER_OP("Tanh", 1, kLatestOpset, ActivationKernel<Act::kTanh>);
ACLSIM_REGISTER_OP("HardSigmoid", 1, kLatestOpset, ActivationKernel<Act::kHardSigmoid>);
ACLSIM_REGISTER_OP("HardSwish", 14, kLatestOpset, ActivationKernel<Act::kHardSwish>);
ACLSIM_REGISTER_OP("Gelu", 20, kLatestOpset, ActivationKernel<Act::kGelu>);
ACLSIM_REGISTER_OP("Clip", 1, kLatestOpset, ClipKernel);

}  // namespace aclsim::exec::ops
