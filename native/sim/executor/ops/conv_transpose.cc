// ConvTranspose (opsets 1 and 11): 1-D, 2-D and 3-D, groups, pads and auto_pad, strides,
// dilations, output_padding, output_shape, optional bias. float32, and float16 through float32.
//
// The gradient of a convolution: for each image and group, col = W[g]ᵀ · X[g] (rows: output
// channel × kernel offset, columns: input positions) on the blocked GEMM, then col2im adds every
// column into the output positions its kernel offsets reach. Tasks own disjoint blocks of output
// channels, so the scatter-adds never race, and each task computes its col a cache-sized block of
// input positions at a time in a per-thread buffer.
#include <algorithm>
#include <atomic>
#include <vector>

#include "sim/executor/kernels/gemm.h"
#include "sim/executor/kernels/im2col.h"
#include "sim/executor/kernels/op_support.h"
#include "sim/executor/kernels/window.h"
#include "sim/executor/kernels/workspace.h"
#include "sim/executor/op.h"
#include "sim/executor/ops/conv_common.h"

namespace aclsim::exec {
namespace {

using kernels::WindowAxis;

class ConvTransposeKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    EXEC_RETURN_IF_ERROR(
        kernels::ReadWindowAttributes(node, /*has_dilations=*/true, /*has_ceil_mode=*/false, &window_));
    for (const char *name : {"output_padding", "output_shape"}) {
      const Attribute *a = node.attributes.Find(name);
      if (a != nullptr && a->kind != Attribute::Kind::kInts) {
        return InvalidModel("attribute '%s' must be a list of ints", name);
      }
    }
    output_padding_ = node.attributes.Ints("output_padding");
    output_shape_ = node.attributes.Ints("output_shape");
    for (int64_t v : output_padding_) {
      if (v < 0 || v > (int64_t{1} << 31)) return InvalidModel("negative or huge output_padding");
    }
    for (int64_t v : output_shape_) {
      if (v < 0 || v > (int64_t{1} << 31)) return InvalidModel("negative or huge output_shape");
    }
    EXEC_RETURN_IF_ERROR(ReadConvGroup(node, &group_));
    return Status::Ok();
  }

  Status Infer(InferContext &ctx) const override {
    size_t rank = 0;
    EXEC_RETURN_IF_ERROR(InferConvRank(ctx, "ConvTranspose", &rank));
    if (rank == 0) return Status::Ok();
    const ValueInfo &x = ctx.input(0);
    const ValueInfo &w = ctx.input(1);
    ValueInfo &y = ctx.output(0);
    y.rank_known = true;
    y.shape.assign(rank, -1);
    y.shape[0] = x.rank_known ? x.shape[0] : -1;
    if (w.rank_known && w.shape[1] >= 0) y.shape[1] = w.shape[1] * group_;
    if (x.rank_known && w.rank_known) {
      std::vector<int64_t> in(x.shape.begin() + 2, x.shape.end()), kernel(w.shape.begin() + 2, w.shape.end());
      bool known = true;
      for (size_t i = 0; i < in.size(); ++i) {
        if (kernel[i] < 0 && !window_.kernel_shape.empty()) kernel[i] = window_.kernel_shape[i];
        known = known && kernel[i] >= 0;
      }
      if (known) {
        for (size_t i = 0; i < in.size(); ++i) {
          if (in[i] < 0) in[i] = 1;  // resolved at a stand-in size, reported unknown below
        }
        std::vector<WindowAxis> axes;
        EXEC_RETURN_IF_ERROR(Resolve(in, kernel, &axes));
        for (size_t i = 0; i < axes.size(); ++i) {
          y.shape[i + 2] = x.shape[i + 2] < 0 && output_shape_.empty() ? -1 : axes[i].out;
        }
      }
    }
    return Status::Ok();
  }

  Status Run(RunContext &ctx) const override {
    ConvOperands operands;
    EXEC_RETURN_IF_ERROR(operands.Load(ctx));
    const Tensor *x = operands.x, *w = operands.w, *b = operands.b;
    const Shape &xs = x->shape();
    const Shape &ws = w->shape();
    const int64_t batch = xs[0], channels = xs[1];
    if (ws[0] != channels || channels % group_ != 0) {
      return ShapeError("W %s must have X's %lld channels first, a multiple of group %lld", ShapeToString(ws).c_str(),
                        static_cast<long long>(channels), static_cast<long long>(group_));
    }
    const int64_t group_maps = ws[1], maps = group_maps * group_;
    if (b != nullptr && (b->rank() != 1 || b->dim(0) != maps)) {
      return ShapeError("B %s must be a vector of %lld values", ShapeToString(b->shape()).c_str(),
                        static_cast<long long>(maps));
    }
    const std::vector<int64_t> in(xs.begin() + 2, xs.end()), kernel(ws.begin() + 2, ws.end());
    if (!window_.kernel_shape.empty() && window_.kernel_shape != kernel) {
      return ShapeError("attribute kernel_shape does not match the spatial dims of W");
    }
    std::vector<WindowAxis> axes;
    EXEC_RETURN_IF_ERROR(Resolve(in, kernel, &axes));
    Shape ys = {batch, maps};
    for (const WindowAxis &axis : axes) ys.push_back(axis.out);
    kernels::Float32Output y;
    EXEC_RETURN_IF_ERROR(y.Allocate(ctx, 0, ctx.input(0)->dtype(), ys));
    if (ElementCount(ys) == 0) return Status::Ok();

    // In Window3 terms "in" is the GEMM side (X's positions) and "out" the scattered side (Y's).
    kernels::Window3 window = kernels::ToWindow3(axes);
    const int64_t out_size = window.out_size();
    float *out = y.data();
    const float *bias = b != nullptr ? b->data<float>() : nullptr;
    ctx.pool().ParallelFor(batch * maps, kernels::GrainFor(out_size), [&](int64_t begin, int64_t end) {
      for (int64_t plane = begin; plane < end; ++plane) {
        std::fill(out + plane * out_size, out + (plane + 1) * out_size, bias != nullptr ? bias[plane % maps] : 0.0f);
      }
    });
    if (xs[1] != 0) {
      EXEC_RETURN_IF_ERROR(Scatter(ctx, x->data<float>(), w->data<float>(), batch, channels, group_maps, window, out));
    }
    y.Finish();
    return Status::Ok();
  }

 private:
  // Per axis: output size and leading pad, from pads, auto_pad or output_shape (ONNX's rules).
  Status Resolve(const std::vector<int64_t> &in, const std::vector<int64_t> &kernel,
                 std::vector<WindowAxis> *axes) const {
    const size_t rank = in.size();
    EXEC_RETURN_IF_ERROR(kernels::CheckWindowRank(window_, rank));
    if (!output_padding_.empty() && output_padding_.size() != rank) {
      return ShapeError("output_padding has %zu values for %zu spatial dims", output_padding_.size(), rank);
    }
    const bool full_output_shape = output_shape_.size() == rank + 2;
    if (!output_shape_.empty() && output_shape_.size() != rank && !full_output_shape) {
      return ShapeError("output_shape has %zu values for %zu spatial dims", output_shape_.size(), rank);
    }
    axes->assign(rank, WindowAxis());
    for (size_t i = 0; i < rank; ++i) {
      WindowAxis &axis = (*axes)[i];
      axis.in = in[i];
      axis.kernel = kernel[i];
      axis.stride = window_.strides.empty() ? 1 : window_.strides[i];
      axis.dilation = window_.dilations.empty() ? 1 : window_.dilations[i];
      const int64_t extra = output_padding_.empty() ? 0 : output_padding_[i];
      const int64_t natural = axis.stride * (axis.in - 1) + extra + axis.span();  // before any padding
      const bool same =
          window_.auto_pad == kernels::AutoPad::kSameUpper || window_.auto_pad == kernels::AutoPad::kSameLower;
      if (!output_shape_.empty() || same) {
        axis.out = !output_shape_.empty() ? output_shape_[full_output_shape ? i + 2 : i] : axis.in * axis.stride;
        const int64_t total = std::max<int64_t>(0, natural - axis.out);
        axis.pad_begin = window_.auto_pad == kernels::AutoPad::kSameUpper ? total / 2 : total - total / 2;
        axis.pad_end = total - axis.pad_begin;
      } else {
        if (window_.auto_pad == kernels::AutoPad::kNotSet && !window_.pads.empty()) {
          axis.pad_begin = window_.pads[i];
          axis.pad_end = window_.pads[i + rank];
        }
        axis.out = natural - axis.pad_begin - axis.pad_end;
      }
      if (axis.out <= 0 && axis.in > 0) {
        return ShapeError("spatial axis %zu would have output size %lld", i, static_cast<long long>(axis.out));
      }
      axis.out = std::max<int64_t>(axis.out, 0);
    }
    return Status::Ok();
  }

  Status Scatter(RunContext &ctx, const float *x, const float *w, int64_t batch, int64_t channels, int64_t group_maps,
                 const kernels::Window3 &window, float *out) const {
    const kernels::GemmArch &arch = kernels::GemmArchFor(ctx.isa());
    const int64_t group_channels = channels / group_;
    const int64_t kernel_size = window.kernel_size();
    const int64_t in_size = window.in_size(), out_size = window.out_size();
    const int64_t maps = group_maps * group_;
    // Blocks of output channels: enough tasks to share out, each with a GEMM of some height.
    const int64_t threads = ctx.pool().size();
    int64_t block = group_maps;
    while (block > 1 && batch * group_ * ((group_maps + block - 1) / block) < threads * 4 &&
           (block / 2) * kernel_size >= 4 * arch.mr) {
      block = (block + 1) / 2;
    }
    const int64_t blocks = (group_maps + block - 1) / block;
    // Input positions per col block: the col buffer stays around 1 MiB.
    const int64_t rows_max = block * kernel_size;
    int64_t positions = std::max<int64_t>(arch.nr, (int64_t{1} << 18) / std::max<int64_t>(rows_max, 1));
    positions = std::min(positions, (in_size + arch.nr - 1) / arch.nr * arch.nr);
    positions = (positions + arch.nr - 1) / arch.nr * arch.nr;

    std::atomic<bool> failed{false};
    ctx.pool().ParallelFor(batch * group_ * blocks, 1, [&](int64_t begin, int64_t end) {
      float *col = kernels::ThreadScratch(kernels::ScratchSlot::kConvTile, static_cast<size_t>(rows_max * positions));
      if (col == nullptr) {
        failed = true;
        return;
      }
      for (int64_t task = begin; task < end && !failed; ++task) {
        const int64_t image = task / (group_ * blocks);
        const int64_t g = (task / blocks) % group_;
        const int64_t map0 = (task % blocks) * block;
        const int64_t map_count = std::min(block, group_maps - map0);
        const int64_t rows = map_count * kernel_size;
        // A(i, k) = W[g·Cg + k][map0·kernel + i]: W's rows are input channels, columns (map, offset).
        const kernels::StridedSource a(w + g * group_channels * group_maps * kernel_size + map0 * kernel_size, 1,
                                       group_maps * kernel_size);
        const kernels::StridedSource b(x + (image * channels + g * group_channels) * in_size, 1, in_size);
        float *target = out + (image * maps + g * group_maps + map0) * out_size;
        kernels::GemmShape shape;
        shape.m = rows;
        shape.n = in_size;
        shape.k = group_channels;
        for (int64_t p0 = 0; p0 < in_size; p0 += positions) {
          const int64_t p1 = std::min(in_size, p0 + positions);
          kernels::GemmProblem problem;
          problem.a = &a;
          problem.b = &b;
          problem.c = col;
          problem.ldc = p1 - p0;
          problem.c_col0 = p0;
          if (!kernels::GemmBlock(arch, shape, problem, 0, rows, p0, p1).ok()) {
            failed = true;
            return;
          }
          kernels::Col2imAdd(col, p1 - p0, map_count, p0, p1, window, target);
        }
      }
    });
    if (failed) return Status::Error(kOutOfMemory, "out of host memory for ConvTranspose work buffers");
    return Status::Ok();
  }

  kernels::WindowAttributes window_;
  std::vector<int64_t> output_padding_;
  std::vector<int64_t> output_shape_;
  int64_t group_ = 1;
};

}  // namespace

ACLSIM_REGISTER_OP("ConvTranspose", 1, 22, ConvTransposeKernel);

}  // namespace aclsim::exec
