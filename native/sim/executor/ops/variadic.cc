// Min Max Sum Mean: any number of inputs of one type, broadcast together, combined left to right
// (the order onnxruntime uses, so float sums round the same way).
#include <cmath>
#include <cstring>
#include <type_traits>

#include "sim/executor/ops/broadcast.h"
#include "sim/executor/ops/op_util.h"

namespace aclsim::exec::ops {
namespace {

enum class Combine { kMin, kMax, kSum, kMean };

template <Combine kOp, typename T>
T CombineOf(T x, T y) {
  if constexpr (kOp == Combine::kMin) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(x)) return x;  // numpy.minimum propagates NaN
    }
    return x < y ? x : y;
  } else if constexpr (kOp == Combine::kMax) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(x)) return x;
    }
    return x > y ? x : y;
  } else {
    return x + y;  // Sum and Mean take float types only
  }
}

template <Combine kOp>
class VariadicKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    const size_t n = node.input_present.size();
    return CheckArity(node, 1, n == 0 ? 1 : n, n, 1, 1);
  }

  Status Infer(InferContext &ctx) const override {
    std::vector<const ValueInfo *> inputs;
    DType type = DType::kUndefined;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const ValueInfo &input = ctx.input(i);
      inputs.push_back(&input);
      if (input.dtype == DType::kUndefined) continue;
      if (type != DType::kUndefined && input.dtype != type) {
        return TypeError("the inputs have different element types (%s and %s)", DTypeName(type),
                         DTypeName(input.dtype));
      }
      type = input.dtype;
    }
    if (type != DType::kUndefined && !Supports(type)) {
      return TypeError("element type %s is not supported", DTypeName(type));
    }
    bool rank_known = false;
    Shape shape;
    EXEC_RETURN_IF_ERROR(InferBroadcastShape(inputs, &rank_known, &shape));
    if (rank_known) {
      SetKnown(ctx, 0, type, std::move(shape));
    } else {
      SetUnknownRank(ctx, 0, type);
    }
    return Status::Ok();
  }

  Status Run(RunContext &ctx) const override {
    const DType type = ctx.input(0)->dtype();
    std::vector<const Shape *> shapes;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      if (ctx.input(i)->dtype() != type) {
        return TypeError("input %zu is %s but input 0 is %s", i, DTypeName(ctx.input(i)->dtype()), DTypeName(type));
      }
      shapes.push_back(&ctx.input(i)->shape());
    }
    if (!Supports(type)) return TypeError("element type %s is not supported", DTypeName(type));
    Shape shape;
    EXEC_RETURN_IF_ERROR(BroadcastShapes(shapes, &shape));
    Tensor *out = nullptr;
    if (type != DType::kFloat16) {
      EXEC_RETURN_IF_ERROR(ctx.Allocate(0, type, shape, &out));
      std::vector<const Tensor *> inputs;
      for (size_t i = 0; i < ctx.num_inputs(); ++i) inputs.push_back(ctx.input(i));
      return Combined(inputs, out, ctx.pool());
    }
    std::vector<Tensor> wide;
    std::vector<const Tensor *> inputs;
    wide.reserve(ctx.num_inputs());
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      wide.push_back(WidenHalf(*ctx.input(i)));
      inputs.push_back(&wide.back());
    }
    Tensor result;
    EXEC_RETURN_IF_ERROR(Tensor::Allocate(DType::kFloat32, shape, &result));
    EXEC_RETURN_IF_ERROR(Combined(inputs, &result, ctx.pool()));
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, DType::kFloat16, shape, &out));
    return NarrowToHalf(result, out);
  }

 private:
  static bool Supports(DType type) {
    if (type == DType::kFloat32 || type == DType::kFloat64 || type == DType::kFloat16) return true;
    if (kOp == Combine::kMin || kOp == Combine::kMax) return IsSignedInteger(type) || IsUnsignedInteger(type);
    return false;
  }

  static Status Combined(const std::vector<const Tensor *> &inputs, Tensor *out, ThreadPool &pool) {
    return DispatchNumeric(out->dtype(), "input", [&](auto tag) {
      using T = decltype(tag);
      const auto op = [](T x, T y) { return CombineOf<kOp, T>(x, y); };
      if (inputs.size() == 1) {
        // One input: itself (broadcast to the output shape, which is its own).
        std::memcpy(out->raw(), inputs[0]->raw(), out->bytes());
      } else {
        BinaryBroadcast<T, T, T>(*inputs[0], *inputs[1], out, pool, op);
        for (size_t i = 2; i < inputs.size(); ++i) BinaryBroadcast<T, T, T>(*out, *inputs[i], out, pool, op);
      }
      if constexpr (kOp == Combine::kMean && std::is_floating_point_v<T>) {
        const T count = static_cast<T>(inputs.size());
        UnaryMap<T, T>(*out, out, pool, [count](T v) { return v / count; });
      }
      return Status::Ok();
    });
  }
};

}  // namespace

ACLSIM_REGISTER_OP("Min", 1, kLatestOpset, VariadicKernel<Combine::kMin>);
ACLSIM_REGISTER_OP("Max", 1, kLatestOpset, VariadicKernel<Combine::kMax>);
ACLSIM_REGISTER_OP("Sum", 1, kLatestOpset, VariadicKernel<Combine::kSum>);
ACLSIM_REGISTER_OP("Mean", 1, kLatestOpset, VariadicKernel<Combine::kMean>);

}  // namespace aclsim::exec::ops
