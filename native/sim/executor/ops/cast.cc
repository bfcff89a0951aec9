// Cast between every runnable element type, under the rules of convert.h. float16 and bfloat16
// go through float32 (exact), except double -> float16, which is rounded once, correctly.
#include <cstring>
#include <type_traits>

#include "common/float16.h"
#include "sim/executor/ops/convert.h"
#include "sim/executor/ops/op_util.h"

namespace aclsim::exec::ops {
namespace {

// Cast-1 names the target type with a string.
DType TypeFromName(const std::string &name) {
  static const std::pair<const char *, DType> kNames[] = {
      {"FLOAT", DType::kFloat32}, {"UINT8", DType::kUint8},   {"INT8", DType::kInt8},     {"UINT16", DType::kUint16},
      {"INT16", DType::kInt16},   {"INT32", DType::kInt32},   {"INT64", DType::kInt64},   {"BOOL", DType::kBool},
      {"FLOAT16", DType::kFloat16}, {"DOUBLE", DType::kFloat64}, {"UINT32", DType::kUint32}, {"UINT64", DType::kUint64},
      {"BFLOAT16", DType::kBFloat16}, {"STRING", DType::kString}};
  for (const auto &[text, type] : kNames) {
    if (name == text) return type;
  }
  return DType::kUndefined;
}

uint16_t FloatToBFloat16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40);  // quiet NaN
  bits += 0x7fffu + ((bits >> 16) & 1u);  // round to nearest even
  return static_cast<uint16_t>(bits >> 16);
}

template <typename To, typename From>
void ConvertAll(const From *src, To *dst, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) dst[i] = ConvertValue<To>(src[i]);
}

class CastKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    EXEC_RETURN_IF_ERROR(CheckArity(node, 1, 1, 1, 1, 1));
    const Attribute *to = node.attributes.Find("to");
    if (to == nullptr) return InvalidModel("the 'to' attribute is required");
    to_ = to->kind == Attribute::Kind::kString ? TypeFromName(to->s) : static_cast<DType>(to->i);
    if (to->kind != Attribute::Kind::kString && (to->i < 1 || to->i > 16)) to_ = DType::kUndefined;
    if (!IsRunnable(to_)) {
      return InvalidModel("casting to %s is not supported by the simulator",
                          to->kind == Attribute::Kind::kString ? to->s.c_str() : DTypeName(to_));
    }
    return Status::Ok();
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    if (x.dtype != DType::kUndefined && !IsRunnable(x.dtype)) {
      return TypeError("casting from %s is not supported", DTypeName(x.dtype));
    }
    SameAsInput(ctx, 0, 0);
    ctx.output(0).dtype = to_;
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    if (x.dtype() == to_) {
      ctx.SetOutput(0, x);
      return Status::Ok();
    }
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, to_, x.shape(), &out));
    return Convert(x, out, ctx.pool());
  }

  // Also used for float16/bfloat16 sources after widening.
  static Status Convert(const Tensor &x, Tensor *out, ThreadPool &pool) {
    const DType from = x.dtype();
    const DType to = out->dtype();
    const size_t n = static_cast<size_t>(x.elements());
    if (from == DType::kFloat16) {
      if (to == DType::kFloat32) {
        ascendcl::HalvesToFloats(x.data<uint16_t>(), out->data<float>(), n);
        return Status::Ok();
      }
      return Convert(WidenHalf(x), out, pool);
    }
    if (from == DType::kBFloat16) {
      Tensor wide = WidenBFloat16(x);
      if (to == DType::kFloat32) {
        std::memcpy(out->raw(), wide.raw(), wide.bytes());
        return Status::Ok();
      }
      return Convert(wide, out, pool);
    }
    if (to == DType::kFloat16) {
      if (from == DType::kFloat32) {
        ascendcl::FloatsToHalves(x.data<float>(), out->data<uint16_t>(), n);
      } else if (from == DType::kFloat64) {
        const double *src = x.data<double>();
        uint16_t *dst = out->data<uint16_t>();
        for (size_t i = 0; i < n; ++i) dst[i] = ascendcl::FloatToHalf(DoubleToFloatRoundToOdd(src[i]));
      } else {
        Tensor single(DType::kFloat32, x.shape());
        EXEC_RETURN_IF_ERROR(Convert(x, &single, pool));
        ascendcl::FloatsToHalves(single.data<float>(), out->data<uint16_t>(), n);
      }
      return Status::Ok();
    }
    if (to == DType::kBFloat16) {
      Tensor single(DType::kFloat32, x.shape());
      if (from == DType::kFloat32) {
        single = x;
      } else {
        EXEC_RETURN_IF_ERROR(Convert(x, &single, pool));
      }
      const float *src = single.data<float>();
      uint16_t *dst = out->data<uint16_t>();
      for (size_t i = 0; i < n; ++i) dst[i] = FloatToBFloat16(src[i]);
      return Status::Ok();
    }
    if (to == DType::kBool) {
      return DispatchNumeric(from == DType::kBool ? DType::kUint8 : from, "input", [&](auto tag) {
        using From = decltype(tag);
        const From *src = x.data<From>();
        uint8_t *dst = out->data<uint8_t>();
        for (size_t i = 0; i < n; ++i) dst[i] = src[i] != From(0) ? 1 : 0;
        return Status::Ok();
      });
    }
    // bool is stored as uint8 0/1: converting it as uint8 gives 0/1 in any type.
    const DType source = from == DType::kBool ? DType::kUint8 : from;
    return DispatchNumeric(source, "input", [&](auto from_tag) {
      using From = decltype(from_tag);
      return DispatchNumeric(to, "output", [&](auto to_tag) {
        using To = decltype(to_tag);
        const From *src = x.data<From>();
        To *dst = out->data<To>();
        pool.ParallelFor(static_cast<int64_t>(n), kElementGrain,
                         [&](int64_t begin, int64_t end) { ConvertAll<To, From>(src, dst, begin, end); });
        return Status::Ok();
      });
    });
  }

 private:
  DType to_ = DType::kUndefined;
};

}  // namespace

ACLSIM_REGISTER_OP("Cast", 1, kLatestOpset, CastKernel);

}  // namespace aclsim::exec::ops
