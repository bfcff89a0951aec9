// Resize (opsets 10–19): modes nearest (round_prefer_floor, round_prefer_ceil, floor, ceil, and
// Resize-10's rule) and linear (N-linear over any number of axes), coordinate transformations
// half_pixel, half_pixel_symmetric, pytorch_half_pixel, align_corners, asymmetric and
// tf_half_pixel_for_nn; output size from scales or sizes, with axes and keep_aspect_ratio_policy
// from opset 18. roi is ignored: the only mode that reads it, tf_crop_and_resize, is rejected at
// load, as are cubic interpolation and antialiasing. Nearest copies elements of any type;
// linear computes float32 (float16 through it) or float64.
#include "sim/executor/kernels/resize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "sim/executor/kernels/op_support.h"
#include "sim/executor/op.h"

namespace aclsim::exec {
namespace {

using kernels::NearestRounding;
using kernels::ResizeAxis;
using kernels::ResizeCoordinate;

constexpr int64_t kMaxOutputDim = int64_t{1} << 40;

enum class AspectPolicy { kStretch, kNotLarger, kNotSmaller };

class ResizeKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    opset_ = node.opset;
    const Attributes &a = node.attributes;
    const std::string mode = a.String("mode", "nearest");
    if (mode == "nearest") {
      linear_ = false;
    } else if (mode == "linear") {
      linear_ = true;
    } else if (mode == "cubic") {
      return InvalidModel("mode 'cubic' is not supported (nearest and linear are)");
    } else {
      return InvalidModel("unknown mode '%s'", mode.c_str());
    }
    if (opset_ >= 11) {
      const std::string transform = a.String("coordinate_transformation_mode", "half_pixel");
      if (transform == "half_pixel") {
        coordinate_ = ResizeCoordinate::kHalfPixel;
      } else if (transform == "half_pixel_symmetric") {
        coordinate_ = ResizeCoordinate::kHalfPixelSymmetric;
      } else if (transform == "pytorch_half_pixel") {
        coordinate_ = ResizeCoordinate::kPytorchHalfPixel;
      } else if (transform == "align_corners") {
        coordinate_ = ResizeCoordinate::kAlignCorners;
      } else if (transform == "asymmetric") {
        coordinate_ = ResizeCoordinate::kAsymmetric;
      } else if (transform == "tf_half_pixel_for_nn") {
        coordinate_ = ResizeCoordinate::kTfHalfPixelForNn;
      } else if (transform == "tf_crop_and_resize") {
        return InvalidModel("coordinate_transformation_mode 'tf_crop_and_resize' is not supported");
      } else {
        return InvalidModel("unknown coordinate_transformation_mode '%s'", transform.c_str());
      }
      const std::string nearest = a.String("nearest_mode", "round_prefer_floor");
      if (nearest == "round_prefer_floor") {
        rounding_ = NearestRounding::kRoundPreferFloor;
      } else if (nearest == "round_prefer_ceil") {
        rounding_ = NearestRounding::kRoundPreferCeil;
      } else if (nearest == "floor") {
        rounding_ = NearestRounding::kFloor;
      } else if (nearest == "ceil") {
        rounding_ = NearestRounding::kCeil;
      } else {
        return InvalidModel("unknown nearest_mode '%s'", nearest.c_str());
      }
    } else {
      coordinate_ = ResizeCoordinate::kAsymmetric;  // Resize-10 has no choice
      rounding_ = NearestRounding::kSimple;
    }
    if (a.Int("exclude_outside", 0) != 0) {
      return InvalidModel("exclude_outside = 1 applies to cubic mode only, which is not supported");
    }
    if (a.Int("antialias", 0) != 0) {
      return InvalidModel("antialias = 1 is not supported");
    }
    axes_ = a.Ints("axes");
    const std::string policy = a.String("keep_aspect_ratio_policy", "stretch");
    if (policy == "stretch") {
      policy_ = AspectPolicy::kStretch;
    } else if (policy == "not_larger") {
      policy_ = AspectPolicy::kNotLarger;
    } else if (policy == "not_smaller") {
      policy_ = AspectPolicy::kNotSmaller;
    } else {
      return InvalidModel("unknown keep_aspect_ratio_policy '%s'", policy.c_str());
    }
    scales_index_ = opset_ >= 11 ? 2 : 1;
    sizes_index_ = opset_ >= 11 ? 3 : -1;
    if (node.input_present.empty() || !node.input_present[0]) {
      return InvalidModel("input X is required");
    }
    return Status::Ok();
  }

  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    if (x.dtype != DType::kUndefined && !IsRunnable(x.dtype)) {
      return TypeError("X is %s", DTypeName(x.dtype));
    }
    if (linear_ && x.dtype != DType::kUndefined && !IsLinearType(x.dtype)) {
      return TypeError("linear mode supports float32, float16 and float64, not %s", DTypeName(x.dtype));
    }
    ValueInfo &y = ctx.output(0);
    y.dtype = x.dtype;
    y.rank_known = x.rank_known;
    if (!x.rank_known) return Status::Ok();
    y.shape.assign(x.shape.size(), -1);
    const Tensor *scales = ConstantInput(ctx, scales_index_);
    const Tensor *sizes = ConstantInput(ctx, sizes_index_);
    const bool scales_known = scales_index_ < 0 || !ctx.has_input(scales_index_) || scales != nullptr;
    const bool sizes_known = sizes_index_ < 0 || !ctx.has_input(sizes_index_) || sizes != nullptr;
    if (!scales_known || !sizes_known || !IsKnown(x.shape)) return Status::Ok();
    std::vector<ResizeAxis> axes;
    EXEC_RETURN_IF_ERROR(ComputeAxes(x.shape, scales, sizes, &axes));
    for (size_t i = 0; i < axes.size(); ++i) y.shape[i] = axes[i].out;
    return Status::Ok();
  }

  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    const Tensor *scales = scales_index_ < static_cast<int>(ctx.num_inputs()) ? ctx.input(scales_index_) : nullptr;
    const Tensor *sizes =
        sizes_index_ >= 0 && sizes_index_ < static_cast<int>(ctx.num_inputs()) ? ctx.input(sizes_index_) : nullptr;
    std::vector<ResizeAxis> axes;
    EXEC_RETURN_IF_ERROR(ComputeAxes(x.shape(), scales, sizes, &axes));
    Shape ys(axes.size());
    for (size_t i = 0; i < axes.size(); ++i) {
      ys[i] = axes[i].out;
      if (axes[i].in == 0 && axes[i].out != 0) {
        return ShapeError("cannot resize the empty axis %zu to %lld", i, static_cast<long long>(axes[i].out));
      }
    }
    // An empty result is made without coordinate maps: they are as long as each output axis
    // (up to 2^40), not as the output, so [0, 2^40] would otherwise ask for terabytes and
    // [0, 4M] take a second under the sanitizers (the model-loader fuzzer's execution hot spot).
    if (ElementCount(ys) == 0 && (linear_ ? IsLinearType(x.dtype()) : IsRunnable(x.dtype()))) {
      Tensor *y = nullptr;
      return ctx.Allocate(0, x.dtype(), ys, &y);
    }
    if (ys == x.shape() && IsRunnable(x.dtype()) && (!linear_ || IsLinearType(x.dtype()))) {
      // Same size on every axis: a copy, whatever the mode says about coordinates (onnxruntime
      // does the same, so a scale that rounds back to the input size changes nothing).
      Tensor *y = nullptr;
      EXEC_RETURN_IF_ERROR(ctx.Allocate(0, x.dtype(), ys, &y));
      if (x.bytes() != 0) std::memcpy(y->raw(), x.raw(), x.bytes());
      return Status::Ok();
    }
    if (!linear_) {
      if (!IsRunnable(x.dtype())) return TypeError("X is %s", DTypeName(x.dtype()));
      Tensor *y = nullptr;
      EXEC_RETURN_IF_ERROR(ctx.Allocate(0, x.dtype(), ys, &y));
      std::vector<std::vector<int64_t>> maps;
      for (const ResizeAxis &axis : axes) maps.push_back(kernels::NearestMap(coordinate_, rounding_, axis));
      kernels::GatherNearest(x.raw(), x.shape(), maps, DTypeSize(x.dtype()), y->raw(), ys, ctx.pool());
      return Status::Ok();
    }
    if (!IsLinearType(x.dtype())) {
      return TypeError("linear mode supports float32, float16 and float64, not %s", DTypeName(x.dtype()));
    }
    if (x.dtype() == DType::kFloat64) {
      Tensor *y = nullptr;
      EXEC_RETURN_IF_ERROR(ctx.Allocate(0, DType::kFloat64, ys, &y));
      return Linear<double>(ctx, x.data<double>(), DType::kFloat64, x.shape(), axes, y->data<double>());
    }
    Status status;
    Tensor widened;
    const Tensor *xf = kernels::AsFloat32(x, &widened, "X", &status);
    if (xf == nullptr) return status;
    kernels::Float32Output y;
    EXEC_RETURN_IF_ERROR(y.Allocate(ctx, 0, x.dtype(), ys));
    EXEC_RETURN_IF_ERROR(Linear<float>(ctx, xf->data<float>(), DType::kFloat32, x.shape(), axes, y.data()));
    y.Finish();
    return Status::Ok();
  }

 private:
  static bool IsLinearType(DType type) {
    return type == DType::kFloat32 || type == DType::kFloat16 || type == DType::kFloat64;
  }

  static const Tensor *ConstantInput(const InferContext &ctx, int index) {
    if (index < 0 || !ctx.has_input(static_cast<size_t>(index))) return nullptr;
    return ctx.input(static_cast<size_t>(index)).value.get();
  }

  // Output size and scale of every axis of X from scales or sizes (one of them non-empty).
  Status ComputeAxes(const Shape &x, const Tensor *scales, const Tensor *sizes, std::vector<ResizeAxis> *out) const {
    const size_t rank = x.size();
    std::vector<size_t> targets;  // the axes scales/sizes speak of
    if (axes_.empty()) {
      for (size_t i = 0; i < rank; ++i) targets.push_back(i);
    } else {
      std::vector<bool> seen(rank, false);
      for (int64_t axis : axes_) {
        const int64_t r = static_cast<int64_t>(rank);
        if (axis < -r || axis >= r || seen[axis < 0 ? axis + r : axis]) {
          return ShapeError("axes attribute has an invalid or repeated axis %lld for rank %zu",
                            static_cast<long long>(axis), rank);
        }
        seen[axis < 0 ? axis + r : axis] = true;
        targets.push_back(static_cast<size_t>(axis < 0 ? axis + r : axis));
      }
    }
    out->assign(rank, ResizeAxis());
    for (size_t i = 0; i < rank; ++i) {
      (*out)[i].in = (*out)[i].out = x[i];
      (*out)[i].resized_length = static_cast<float>(x[i]);
    }
    const bool has_scales = scales != nullptr && scales->elements() > 0;
    const bool has_sizes = sizes != nullptr && sizes->elements() > 0;
    if (has_scales == has_sizes) {
      return ShapeError("exactly one of scales and sizes must be given (non-empty)");
    }
    if (has_scales) {
      if (scales->dtype() != DType::kFloat32 || scales->elements() != static_cast<int64_t>(targets.size())) {
        return ShapeError("scales must be %zu float32 values, got %s %s", targets.size(), DTypeName(scales->dtype()),
                          ShapeToString(scales->shape()).c_str());
      }
      for (size_t t = 0; t < targets.size(); ++t) {
        ResizeAxis &axis = (*out)[targets[t]];
        const float scale = scales->data<float>()[t];
        const float length = scale * static_cast<float>(axis.in);
        if (!(scale > 0.0f) || !(length < static_cast<float>(kMaxOutputDim))) {
          return ShapeError("scale %g for axis %zu is not positive or too large", static_cast<double>(scale),
                            targets[t]);
        }
        axis.scale = scale;
        axis.resized_length = length;
        axis.out = static_cast<int64_t>(length);
      }
      return Status::Ok();
    }
    if (sizes->dtype() != DType::kInt64 || sizes->elements() != static_cast<int64_t>(targets.size())) {
      return ShapeError("sizes must be %zu int64 values, got %s %s", targets.size(), DTypeName(sizes->dtype()),
                        ShapeToString(sizes->shape()).c_str());
    }
    const int64_t *values = sizes->data<int64_t>();
    for (size_t t = 0; t < targets.size(); ++t) {
      if (values[t] < 0 || values[t] > kMaxOutputDim) {
        return ShapeError("size %lld for axis %zu is negative or too large", static_cast<long long>(values[t]),
                          targets[t]);
      }
    }
    if (policy_ != AspectPolicy::kStretch) {
      // One scale for all the given axes: the largest that fits (not_larger) or the smallest that
      // covers (not_smaller), and sizes rounded from it.
      float scale = policy_ == AspectPolicy::kNotLarger ? std::numeric_limits<float>::max() : 0.0f;
      for (size_t t = 0; t < targets.size(); ++t) {
        const int64_t in = (*out)[targets[t]].in;
        if (in == 0) continue;
        const float s = static_cast<float>(values[t]) / static_cast<float>(in);
        scale = policy_ == AspectPolicy::kNotLarger ? std::min(scale, s) : std::max(scale, s);
      }
      for (size_t target : targets) {
        ResizeAxis &axis = (*out)[target];
        axis.scale = scale;
        axis.out = static_cast<int64_t>(std::round(scale * static_cast<float>(axis.in)));
        axis.resized_length = static_cast<float>(axis.out);
      }
      return Status::Ok();
    }
    for (size_t t = 0; t < targets.size(); ++t) {
      ResizeAxis &axis = (*out)[targets[t]];
      axis.out = values[t];
      axis.scale = axis.in == 0 ? 1.0f : static_cast<float>(axis.out) / static_cast<float>(axis.in);
      axis.resized_length = static_cast<float>(axis.out);
    }
    return Status::Ok();
  }

  // One 1-D pass per axis whose map is not the identity, ping-ponging through scratch tensors.
  template <typename T>
  Status Linear(RunContext &ctx, const T *x, DType type, const Shape &xs, const std::vector<ResizeAxis> &axes,
                T *y) const {
    const size_t rank = xs.size();
    if (ElementCount(xs) == 0 || rank == 0) {
      if (rank == 0) y[0] = x[0];
      return Status::Ok();
    }
    std::vector<size_t> passes;
    std::vector<kernels::LinearMap> maps(rank);
    for (size_t d = 0; d < rank; ++d) {
      maps[d] = kernels::MakeLinearMap(coordinate_, axes[d]);
      bool identity = axes[d].in == axes[d].out;
      for (int64_t o = 0; identity && o < axes[d].out; ++o) {
        identity = maps[d].lo[o] == o && (maps[d].weight_hi[o] == 0.0f || maps[d].lo[o] == maps[d].hi[o]);
      }
      if (!identity) passes.push_back(d);
    }
    Shape current = xs;
    const T *src = x;
    Tensor buffers[2];
    for (size_t p = 0; p < passes.size(); ++p) {
      const size_t d = passes[p];
      Shape next = current;
      next[d] = axes[d].out;
      T *dst = y;
      if (p + 1 < passes.size()) {
        EXEC_RETURN_IF_ERROR(Tensor::Allocate(type, next, &buffers[p % 2]));
        dst = buffers[p % 2].data<T>();
      }
      int64_t outer = 1, inner = 1;
      for (size_t i = 0; i < d; ++i) outer *= current[i];
      for (size_t i = d + 1; i < rank; ++i) inner *= current[i];
      kernels::LinearAxisPass<T>(src, outer, current[d], inner, maps[d], dst, ctx.pool());
      src = dst;
      current = next;
    }
    if (passes.empty()) std::memcpy(y, x, static_cast<size_t>(ElementCount(xs)) * sizeof(T));
    return Status::Ok();
  }

  int opset_ = 0;
  bool linear_ = false;
  ResizeCoordinate coordinate_ = ResizeCoordinate::kHalfPixel;
  NearestRounding rounding_ = NearestRounding::kRoundPreferFloor;
  std::vector<int64_t> axes_;
  AspectPolicy policy_ = AspectPolicy::kStretch;
  int scales_index_ = 1;
  int sizes_index_ = -1;
};

}  // namespace

ACLSIM_REGISTER_OP("Resize", 10, 19, ResizeKernel);

}  // namespace aclsim::exec
