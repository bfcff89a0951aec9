// Conv (opsets 1 and 11): 1-D, 2-D and 3-D, groups, pads and auto_pad, strides, dilations,
// kernel_shape from the weights, optional bias. float32, and float16 through float32.
//
// Every group of every image is a GEMM: Y[g] (M/group × output positions) = W[g] (M/group ×
// C/group·kernel) · im2col(X[g]), with the im2col operand gathered straight into the GEMM's
// packed panels and the bias added in the GEMM's epilogue. Constant weights are packed once at
// load. 1-D and 2-D convolutions run by bands of output rows over a polyphase copy of the input
// (kernels/conv_bands.h), which makes that gathering plain copying; 3-D ones gather with
// bounds checks (kernels/im2col.h). A 1×1, stride-1, unpadded convolution reads X directly as its
// B operand; a depthwise convolution (one input channel per group) runs a direct loop instead.
#include <atomic>
#include <memory>
#include <vector>

#include "sim/executor/kernels/conv_bands.h"
#include "sim/executor/kernels/depthwise.h"
#include "sim/executor/kernels/gemm.h"
#include "sim/executor/kernels/im2col.h"
#include "sim/executor/kernels/op_support.h"
#include "sim/executor/kernels/window.h"
#include "sim/executor/op.h"
#include "sim/executor/ops/conv_common.h"

namespace aclsim::exec {
namespace {

using kernels::GemmArch;
using kernels::PackedPanels;
using kernels::Window3;

class ConvKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    EXEC_RETURN_IF_ERROR(
        kernels::ReadWindowAttributes(node, /*has_dilations=*/true, /*has_ceil_mode=*/false, &window_));
    EXEC_RETURN_IF_ERROR(ReadConvGroup(node, &group_));
    if (constants.size() > 1 && constants[1] != nullptr) EXEC_RETURN_IF_ERROR(PackWeights(*constants[1]));
    return Status::Ok();
  }

  Status Infer(InferContext &ctx) const override {
    size_t rank = 0;
    EXEC_RETURN_IF_ERROR(InferConvRank(ctx, "Conv", &rank));
    if (rank == 0) return Status::Ok();
    const ValueInfo &x = ctx.input(0);
    const ValueInfo &w = ctx.input(1);
    ValueInfo &y = ctx.output(0);
    const size_t spatial = rank - 2;
    EXEC_RETURN_IF_ERROR(kernels::CheckWindowRank(window_, spatial));
    if (x.rank_known && w.rank_known) EXEC_RETURN_IF_ERROR(CheckChannels(x.shape, w.shape));
    std::vector<int64_t> in(spatial, -1), kernel(spatial, -1);
    for (size_t i = 0; i < spatial; ++i) {
      if (x.rank_known) in[i] = x.shape[i + 2];
      if (w.rank_known) kernel[i] = w.shape[i + 2];
      if (kernel[i] < 0 && !window_.kernel_shape.empty()) kernel[i] = window_.kernel_shape[i];
    }
    y.rank_known = true;
    y.shape.assign(rank, -1);
    y.shape[0] = x.rank_known ? x.shape[0] : -1;
    y.shape[1] = w.rank_known ? w.shape[0] : -1;
    bool kernel_known = true;
    for (int64_t k : kernel) kernel_known = kernel_known && k >= 0;
    if (kernel_known) {
      std::vector<int64_t> out;
      EXEC_RETURN_IF_ERROR(kernels::InferWindowOutput(window_, in, kernel, &out));
      for (size_t i = 0; i < spatial; ++i) y.shape[i + 2] = out[i];
    }
    return Status::Ok();
  }

  Status Run(RunContext &ctx) const override {
    ConvOperands operands;
    EXEC_RETURN_IF_ERROR(operands.Load(ctx));
    const Tensor *x = operands.x, *w = operands.w, *b = operands.b;
    const Shape &xs = x->shape();
    const Shape &ws = w->shape();
    EXEC_RETURN_IF_ERROR(CheckChannels(xs, ws));
    const int64_t batch = xs[0], channels = xs[1], maps = ws[0];
    if (b != nullptr && (b->rank() != 1 || b->dim(0) != maps)) {
      return ShapeError("B %s must be a vector of %lld values", ShapeToString(b->shape()).c_str(),
                        static_cast<long long>(maps));
    }
    const std::vector<int64_t> in(xs.begin() + 2, xs.end()), kernel(ws.begin() + 2, ws.end());
    EXEC_RETURN_IF_ERROR(CheckKernelShape(kernel));
    std::vector<kernels::WindowAxis> axes;
    EXEC_RETURN_IF_ERROR(kernels::ResolveWindow(window_, in, kernel, &axes));
    Shape ys = {batch, maps};
    for (const kernels::WindowAxis &axis : axes) ys.push_back(axis.out);

    kernels::Float32Output y;
    EXEC_RETURN_IF_ERROR(y.Allocate(ctx, 0, ctx.input(0)->dtype(), ys));
    if (ElementCount(ys) == 0) return Status::Ok();
    const Window3 window = kernels::ToWindow3(axes);
    const float *bias = b != nullptr ? b->data<float>() : nullptr;
    // Depthwise: one input channel per group, several groups (a single-channel input with
    // group 1 is an ordinary GEMM of depth kernel-size, which the GEMM does better).
    if (ws[1] == 1 && group_ > 1 && xs.size() <= 4) {
      Depthwise(ctx, x->data<float>(), w->data<float>(), bias, batch, channels, maps, window, y.data());
      if (relu_) ApplyRelu(ctx.pool(), y.data(), ElementCount(ys));
    } else {
      EXEC_RETURN_IF_ERROR(
          ViaGemm(ctx, x->data<float>(), w->data<float>(), bias, batch, channels, maps, window, y.data()));
    }
    y.Finish();
    return Status::Ok();
  }

  bool FuseRelu() override {
    relu_ = true;
    return true;
  }

 private:
  // The fused Relu after a depthwise convolution (the GEMM paths apply it in their epilogue).
  static void ApplyRelu(ThreadPool &pool, float *y, int64_t count) {
    pool.ParallelFor(count, 1 << 16, [y](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) y[i] = y[i] > 0.0f ? y[i] : 0.0f;
    });
  }

  Status CheckChannels(const Shape &xs, const Shape &ws) const {
    if (ws[0] >= 0 && ws[0] % group_ != 0) {
      return ShapeError("W has %lld output channels, not a multiple of group %lld", static_cast<long long>(ws[0]),
                        static_cast<long long>(group_));
    }
    if (xs[1] >= 0 && ws[1] >= 0 && xs[1] != ws[1] * group_) {
      return ShapeError("X has %lld channels but W %s with group %lld expects %lld", static_cast<long long>(xs[1]),
                        ShapeToString(ws).c_str(), static_cast<long long>(group_),
                        static_cast<long long>(ws[1] * group_));
    }
    return Status::Ok();
  }

  Status CheckKernelShape(const std::vector<int64_t> &kernel) const {
    if (!window_.kernel_shape.empty() && window_.kernel_shape != kernel) {
      return ShapeError("attribute kernel_shape does not match the spatial dims of W");
    }
    return Status::Ok();
  }

  // Packs each group's weights (M/group × C/group·kernel, row-major) for the GEMM of the ISA
  // active at load. Depthwise weights are read directly and need no packing.
  Status PackWeights(const Tensor &weights) {
    if (weights.dtype() != DType::kFloat32 || weights.rank() < 3 || (weights.dim(1) == 1 && group_ > 1)) {
      return Status::Ok();
    }
    const int64_t maps = weights.dim(0);
    if (maps % group_ != 0) return Status::Ok();  // reported with the shapes at Infer
    std::vector<int64_t> kernel(weights.shape().begin() + 2, weights.shape().end());
    EXEC_RETURN_IF_ERROR(CheckKernelShape(kernel));
    const int64_t rows = maps / group_;
    const int64_t depth = weights.elements() / std::max<int64_t>(maps, 1);
    const GemmArch &arch = kernels::GemmArchFor(ActiveIsa());
    for (int64_t g = 0; g < group_; ++g) {
      const kernels::StridedSource source(weights.data<float>() + g * rows * depth, depth, 1);
      std::unique_ptr<PackedPanels> panels;
      EXEC_RETURN_IF_ERROR(PackedPanels::Pack(arch, kernels::GemmSide::kA, source, rows, depth, &panels));
      packed_.push_back(std::move(panels));
    }
    packed_arch_ = &arch;
    return Status::Ok();
  }

  void Depthwise(RunContext &ctx, const float *x, const float *w, const float *bias, int64_t batch, int64_t channels,
                 int64_t maps, const Window3 &window, float *y) const {
    const int64_t multiplier = maps / group_;  // output maps per input channel
    const int64_t in_size = window.in_size(), out_size = window.out_size(), kernel_size = window.kernel_size();
    const kernels::GatherRunFn gather = kernels::GemmArchFor(ctx.isa()).gather_run;
    ctx.pool().ParallelFor(batch * maps, kernels::GrainFor(out_size * kernel_size), [&](int64_t begin, int64_t end) {
      for (int64_t plane = begin; plane < end; ++plane) {
        const int64_t n = plane / maps, map = plane % maps;
        const float *input = x + (n * channels + map / multiplier) * in_size;
        kernels::DepthwisePlane(input, w + map * kernel_size, bias != nullptr ? bias[map] : 0.0f, window,
                                y + plane * out_size, gather);
      }
    });
  }

  Status ViaGemm(RunContext &ctx, const float *x, const float *w, const float *bias, int64_t batch, int64_t channels,
                 int64_t maps, const Window3 &window, float *y) const {
    const GemmArch &arch = kernels::GemmArchFor(ctx.isa());
    const int64_t group_channels = channels / group_, group_maps = maps / group_;
    const int64_t in_size = window.in_size(), out_size = window.out_size();
    const int64_t depth = group_channels * window.kernel_size();
    const bool pointwise = window.kernel_size() == 1 && window.stride[0] == 1 && window.stride[1] == 1 &&
                           window.stride[2] == 1 && window.pad[0] == 0 && window.pad[1] == 0 && window.pad[2] == 0 &&
                           out_size == in_size;
    const bool use_packed = packed_arch_ == &arch && static_cast<int64_t>(packed_.size()) == group_;
    const kernels::Activation activation = relu_ ? kernels::Activation::kRelu : kernels::Activation::kNone;

    std::vector<kernels::StridedSource> weight_sources;
    if (!use_packed) {
      for (int64_t g = 0; g < group_; ++g) weight_sources.emplace_back(w + g * group_maps * depth, depth, 1);
    }
    auto weights = [&](int64_t g) -> const kernels::PanelSource * {
      return use_packed ? static_cast<const kernels::PanelSource *>(packed_[g].get()) : &weight_sources[g];
    };
    kernels::BandPlan bands;
    if (!pointwise && kernels::PlanBands(window, group_channels, batch * group_, ctx.pool().size(), &bands)) {
      // Tasks are (image, group, band of output rows), each a GEMM over its own input band.
      std::atomic<bool> failed{false};
      ctx.pool().ParallelFor(batch * group_ * bands.bands, 1, [&](int64_t begin, int64_t end) {
        for (int64_t task = begin; task < end && !failed; ++task) {
          const int64_t i = task / bands.bands, g = i % group_;
          const Status status = kernels::RunBand(
              arch, bands, task % bands.bands, x + i * group_channels * in_size, *weights(g), group_maps,
              bias != nullptr ? bias + g * group_maps : nullptr, y + i * group_maps * out_size, activation);
          if (!status.ok()) failed = true;
        }
      });
      if (failed) return Status::Error(kOutOfMemory, "out of host memory for convolution work buffers");
      return Status::Ok();
    }
    // One B operand per (image, group): X's channels as they are (pointwise), or gathered.
    std::vector<kernels::StridedSource> direct_sources;
    std::vector<kernels::Im2colSource> gather_sources;
    for (int64_t i = 0; i < batch * group_; ++i) {
      const float *image = x + i * group_channels * in_size;  // image i / group, its group i % group
      if (pointwise) {
        direct_sources.emplace_back(image, 1, in_size);
      } else {
        gather_sources.emplace_back(image, window);
      }
    }
    kernels::GemmShape shape;
    shape.m = group_maps;
    shape.n = out_size;
    shape.k = depth;
    return kernels::GemmBatch(
        arch, shape, batch * group_,
        [&](int64_t i) {
          const int64_t g = i % group_;
          kernels::GemmProblem p;
          p.a = weights(g);
          p.b = pointwise ? static_cast<const kernels::PanelSource *>(&direct_sources[i]) : &gather_sources[i];
          p.c = y + i * group_maps * out_size;
          p.ldc = out_size;
          p.epilogue.row_bias = bias != nullptr ? bias + g * group_maps : nullptr;
          p.epilogue.activation = activation;
          return p;
        },
        &ctx.pool());
  }

  kernels::WindowAttributes window_;
  int64_t group_ = 1;
  bool relu_ = false;  // a Relu fused by fusion.h
  std::vector<std::unique_ptr<PackedPanels>> packed_;  // per group, for packed_arch_
  const GemmArch *packed_arch_ = nullptr;
};

}  // namespace

ACLSIM_REGISTER_OP("Conv", 1, 22, ConvKernel);

}  // namespace aclsim::exec
