// Pad: constant, reflect, edge and wrap modes; pads as an attribute (opset < 11) or an input
// (with an optional constant_value input, and from opset 18 an axes input). Negative pads crop
// first, and the other modes then pad the cropped tensor, as ONNX's reference does. Each dim maps
// an output position to a source index (-1: the constant) by arithmetic, not by a table: a table
// costs 8 bytes per output position, and a small model can ask for millions of positions of
// padding (or for an empty result padded by 2^40 along another dim), which load-time constant
// folding then computes. The interior of each row is copied whole and, in constant mode, its
// padding filled whole.
#include <algorithm>
#include <cstring>

#include "common/float16.h"
#include "sim/executor/ops/convert.h"
#include "sim/executor/ops/op_util.h"

namespace aclsim::exec::ops {
namespace {

enum class Mode { kConstant, kReflect, kEdge, kWrap };

// n + begin + end, or an error when it is negative or overflows.
Status PaddedLength(int64_t n, int64_t begin, int64_t end, int64_t *out) {
  if (__builtin_add_overflow(n, begin, out) || __builtin_add_overflow(*out, end, out) || *out < 0) {
    return ShapeError("pads %lld and %lld do not fit a dim of %lld", (long long)begin, (long long)end, (long long)n);
  }
  return Status::Ok();
}

// One dim of the output: `pad_begin` positions of padding, the `m` kept source elements starting
// at `crop_begin` (the interior), then padding up to `length`.
struct DimMap {
  Mode mode = Mode::kConstant;
  int64_t length = 0;
  int64_t pad_begin = 0;
  int64_t crop_begin = 0;
  int64_t m = 0;

  // The source index (into the uncropped dim) of output position o, -1 for the constant.
  int64_t Source(int64_t o) const {
    int64_t j = o - pad_begin;
    if (j < 0 || j >= m) {
      switch (mode) {
        case Mode::kConstant: return -1;
        case Mode::kEdge: j = j < 0 ? 0 : m - 1; break;
        case Mode::kWrap: j = ((j % m) + m) % m; break;
        case Mode::kReflect: {
          if (m == 1) {
            j = 0;
            break;
          }
          const int64_t period = 2 * (m - 1);
          j = ((j % period) + period) % period;
          if (j >= m) j = period - j;
          break;
        }
      }
    }
    return j + crop_begin;
  }
};

Status MakeDimMap(int64_t n, int64_t begin, int64_t end, Mode mode, DimMap *map) {
  int64_t out = 0;
  EXEC_RETURN_IF_ERROR(PaddedLength(n, begin, end, &out));
  const int64_t crop_begin = begin < 0 ? -begin : 0;
  const int64_t crop_end = end < 0 ? -end : 0;
  const int64_t pad_begin = begin > 0 ? begin : 0;
  const int64_t pad_end = end > 0 ? end : 0;
  const int64_t m = n - crop_begin - crop_end;  // the cropped length
  if (m < 0) {
    return ShapeError("pads %lld and %lld crop more than the dim of %lld", (long long)begin, (long long)end,
                      (long long)n);
  }
  if (m == 0 && (pad_begin > 0 || pad_end > 0) && mode != Mode::kConstant) {
    return ShapeError("cannot pad an empty dim in this mode");
  }
  map->mode = mode;
  map->length = out;
  map->pad_begin = pad_begin;
  map->crop_begin = crop_begin;
  map->m = m;
  return Status::Ok();
}

class PadKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    const std::string mode = node.attributes.String("mode", "constant");
    if (mode == "constant") {
      mode_ = Mode::kConstant;
    } else if (mode == "reflect") {
      mode_ = Mode::kReflect;
    } else if (mode == "edge") {
      mode_ = Mode::kEdge;
    } else if (mode == "wrap" && node.opset >= 19) {
      mode_ = Mode::kWrap;
    } else {
      return InvalidModel("mode '%s' is not supported at opset %d", mode.c_str(), node.opset);
    }
    pads_from_input_ = node.opset >= 11;
    if (!pads_from_input_) {
      const char *name = node.opset == 1 ? "paddings" : "pads";
      if (!node.attributes.Has(name)) return InvalidModel("the %s attribute is required", name);
      pads_ = node.attributes.Ints(name);
      value_ = node.attributes.Float("value", 0.0f);
      return CheckArity(node, 1, 1, 1, 1, 1);
    }
    return CheckArity(node, 2, node.opset >= 18 ? 4 : 3, 2, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    if (!x.rank_known) {
      SetUnknownRank(ctx, 0, x.dtype);
      return Status::Ok();
    }
    std::vector<int64_t> pads = pads_, axes;
    if (pads_from_input_) {
      const Tensor *p = ConstantInput(ctx, 1);
      const bool axes_given = ctx.has_input(3);
      const Tensor *a = axes_given ? ConstantInput(ctx, 3) : nullptr;
      if (p == nullptr || (axes_given && a == nullptr)) {
        SetKnown(ctx, 0, x.dtype, Shape(x.shape.size(), -1));
        return Status::Ok();
      }
      EXEC_RETURN_IF_ERROR(ReadInts(*p, "pads", &pads));
      if (a != nullptr) EXEC_RETURN_IF_ERROR(ReadInts(*a, "axes", &axes));
    }
    std::vector<int64_t> begin, end;
    EXEC_RETURN_IF_ERROR(PerDim(pads, axes, x.shape.size(), &begin, &end));
    Shape out = x.shape;
    for (size_t d = 0; d < out.size(); ++d) {
      if (out[d] >= 0) EXEC_RETURN_IF_ERROR(PaddedLength(out[d], begin[d], end[d], &out[d]));
    }
    SetKnown(ctx, 0, x.dtype, std::move(out));
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    std::vector<int64_t> pads = pads_, axes;
    if (pads_from_input_) {
      EXEC_RETURN_IF_ERROR(ReadInts(*ctx.input(1), "pads", &pads));
      if (ctx.input(3) != nullptr) EXEC_RETURN_IF_ERROR(ReadInts(*ctx.input(3), "axes", &axes));
    }
    std::vector<int64_t> begin, end;
    EXEC_RETURN_IF_ERROR(PerDim(pads, axes, x.rank(), &begin, &end));
    const size_t rank = x.rank();
    std::vector<DimMap> maps(rank);
    Shape out_shape(rank);
    for (size_t d = 0; d < rank; ++d) {
      EXEC_RETURN_IF_ERROR(MakeDimMap(x.dim(d), begin[d], end[d], mode_, &maps[d]).Annotate("dim " + std::to_string(d)));
      out_shape[d] = maps[d].length;
    }
    Tensor fill;
    EXEC_RETURN_IF_ERROR(ConstantValue(ctx, x.dtype(), &fill));
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, x.dtype(), out_shape, &out));
    if (out->elements() == 0) return Status::Ok();
    if (rank == 0) {
      std::memcpy(out->raw(), x.raw(), x.bytes());
      return Status::Ok();
    }
    return DispatchBySize(x.dtype(), "input", [&](auto tag) {
      using T = decltype(tag);
      Gather<T>(x, maps, fill.data<T>()[0], out, ctx.pool());
      return Status::Ok();
    });
  }

 private:
  static Status PerDim(const std::vector<int64_t> &pads, const std::vector<int64_t> &axes, size_t rank,
                       std::vector<int64_t> *begin, std::vector<int64_t> *end) {
    begin->assign(rank, 0);
    end->assign(rank, 0);
    std::vector<int64_t> dims;
    if (axes.empty()) {
      for (size_t d = 0; d < rank; ++d) dims.push_back(static_cast<int64_t>(d));
    } else {
      for (int64_t axis : axes) {
        int64_t a = 0;
        EXEC_RETURN_IF_ERROR(NormalizeAxis(axis, static_cast<int64_t>(rank), "axis", &a));
        dims.push_back(a);
      }
    }
    if (pads.size() != 2 * dims.size()) {
      return ShapeError("pads has %zu entries, expected %zu", pads.size(), 2 * dims.size());
    }
    for (size_t k = 0; k < dims.size(); ++k) {
      (*begin)[dims[k]] = pads[k];
      (*end)[dims[k]] = pads[k + dims.size()];
    }
    return Status::Ok();
  }

  // The constant as a one-element tensor of the data's type.
  Status ConstantValue(const RunContext &ctx, DType type, Tensor *out) const {
    if (pads_from_input_ && ctx.input(2) != nullptr && ctx.input(2)->elements() > 0) {
      const Tensor &value = *ctx.input(2);
      if (value.dtype() != type) {
        return TypeError("constant_value is %s but the data is %s", DTypeName(value.dtype()), DTypeName(type));
      }
      *out = value;
      return Status::Ok();
    }
    *out = Tensor(type, {});
    const float v = pads_from_input_ ? 0.0f : value_;
    switch (type) {
      case DType::kFloat16: out->data<uint16_t>()[0] = ascendcl::FloatToHalf(v); return Status::Ok();
      case DType::kBFloat16: case DType::kBool:
        std::memset(out->raw(), 0, out->bytes());
        if (v != 0) return TypeError("a non-zero pad value for %s is not supported", DTypeName(type));
        return Status::Ok();
      default:
        return DispatchNumeric(type, "data", [&](auto tag) {
          using T = decltype(tag);
          out->data<T>()[0] = ConvertValue<T>(v);
          return Status::Ok();
        });
    }
  }

  template <typename T>
  static void Gather(const Tensor &x, const std::vector<DimMap> &maps, T fill, Tensor *out, ThreadPool &pool) {
    const size_t rank = x.rank();
    const std::vector<int64_t> strides = Strides(x.shape());
    const Shape &out_shape = out->shape();
    const DimMap &last = maps[rank - 1];
    const int64_t inner = out_shape[rank - 1];
    // The interior of the last dim, [run_begin, run_end) of the output, is one copy; in constant
    // mode the padding on either side is one fill, in the other modes it is gathered position by
    // position (and is at most a few elements in real models).
    const int64_t run_begin = std::min(last.pad_begin, inner);
    const int64_t run_end = std::min(last.pad_begin + last.m, inner);
    const T *src = x.data<T>();
    T *dst = out->data<T>();
    const int64_t rows = out->elements() / inner;
    pool.ParallelFor(rows, std::max<int64_t>(1, kElementGrain / inner), [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        T *to = dst + row * inner;
        int64_t rest = row, offset = 0;
        bool constant_row = false;
        for (size_t d = rank - 1; d-- > 0;) {
          const int64_t source = maps[d].Source(rest % out_shape[d]);
          rest /= out_shape[d];
          if (source < 0) constant_row = true;
          offset += source * strides[d];
        }
        if (constant_row) {
          std::fill(to, to + inner, fill);
          continue;
        }
        const T *from = src + offset;
        if (last.mode == Mode::kConstant) {
          std::fill(to, to + run_begin, fill);
          std::fill(to + run_end, to + inner, fill);
        } else {
          for (int64_t o = 0; o < run_begin; ++o) to[o] = from[last.Source(o)];
          for (int64_t o = run_end; o < inner; ++o) to[o] = from[last.Source(o)];
        }
        if (run_end > run_begin) {
          std::memcpy(to + run_begin, from + last.crop_begin, static_cast<size_t>(run_end - run_begin) * sizeof(T));
        }
      }
    });
  }

  Mode mode_ = Mode::kConstant;
  bool pads_from_input_ = true;
  std::vector<int64_t> pads_;
  float value_ = 0;
};

}  // namespace

ACLSIM_REGISTER_OP("Pad", 1, kLatestOpset, PadKernel);

}  // namespace aclsim::exec::ops
