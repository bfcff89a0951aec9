// Gemm (opsets 1–13+): Y = alpha · op(A) · op(B) + beta · C, op a transpose under transA/transB,
// C optional from opset 11 and broadcast to [M, N] in one direction. float32 on the blocked GEMM
// (float16 through it), float64 and the 32/64-bit integer types on plain loops.
//
// A constant B (a fully connected layer's weights) is packed once at load. A bias C that is a
// row or column vector with beta 1 is added in the GEMM's epilogue; other C are written into Y
// first (times beta) and the product accumulated onto them.
#include "sim/executor/kernels/gemm.h"

#include <cmath>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "sim/executor/kernels/gemm_generic.h"
#include "sim/executor/kernels/op_support.h"
#include "sim/executor/op.h"

namespace aclsim::exec {
namespace {

using kernels::GemmArch;
using kernels::PackedPanels;

// How C lines up with Y [M, N] under unidirectional broadcasting.
enum class BiasKind { kNone, kScalar, kRow /* one value per column: [N] or [1, N] */, kColumn /* [M, 1] */, kFull };

Status ClassifyBias(const Shape &c, int64_t m, int64_t n, BiasKind *kind) {
  if (c.size() > 2) {
    return ShapeError("C %s has rank above 2", ShapeToString(c).c_str());
  }
  const int64_t rows = c.size() == 2 ? c[0] : 1;
  const int64_t cols = c.empty() ? 1 : c.back();
  if ((rows != 1 && rows != m) || (cols != 1 && cols != n)) {
    return ShapeError("C %s does not broadcast to [%lld, %lld]", ShapeToString(c).c_str(), static_cast<long long>(m),
                      static_cast<long long>(n));
  }
  if (rows == m && cols == n && (m != 1 || n != 1)) {
    *kind = rows == 1 ? BiasKind::kRow : cols == 1 ? BiasKind::kColumn : BiasKind::kFull;
  } else if (rows == 1 && cols == 1) {
    *kind = BiasKind::kScalar;
  } else {
    *kind = rows == 1 ? BiasKind::kRow : BiasKind::kColumn;
  }
  return Status::Ok();
}

// C's value for element (i, j) of Y.
template <typename T>
T BiasAt(const T *c, BiasKind kind, int64_t n, int64_t i, int64_t j) {
  switch (kind) {
    case BiasKind::kScalar:
      return c[0];
    case BiasKind::kRow:
      return c[j];
    case BiasKind::kColumn:
      return c[i];
    case BiasKind::kFull:
      return c[i * n + j];
    case BiasKind::kNone:
      break;
  }
  return T(0);
}

// A double to T, clamped to T's range (an out-of-range conversion would be undefined).
template <typename T>
T SaturatingCast(double value) {
  if constexpr (std::is_integral_v<T>) {
    if (!(value > static_cast<double>(std::numeric_limits<T>::min()))) return std::numeric_limits<T>::min();
    if (!(value < static_cast<double>(std::numeric_limits<T>::max()))) return std::numeric_limits<T>::max();
  }
  return static_cast<T>(value);
}

class GemmKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    for (const char *name : {"transA", "transB", "broadcast"}) {
      const Attribute *a = node.attributes.Find(name);
      if (a != nullptr && a->kind != Attribute::Kind::kInt) {
        return InvalidModel("attribute '%s' must be an int", name);
      }
    }
    for (const char *name : {"alpha", "beta"}) {
      const Attribute *a = node.attributes.Find(name);
      if (a != nullptr && a->kind != Attribute::Kind::kFloat) {
        return InvalidModel("attribute '%s' must be a float", name);
      }
    }
    trans_a_ = node.attributes.Int("transA", 0) != 0;
    trans_b_ = node.attributes.Int("transB", 0) != 0;
    alpha_ = node.attributes.Float("alpha", 1.0f);
    beta_ = node.attributes.Float("beta", 1.0f);
    const size_t inputs = node.input_present.size();
    if (inputs < 2 || inputs > 3 || !node.input_present[0] || !node.input_present[1]) {
      return InvalidModel("Gemm takes A, B and an optional C");
    }
    if (node.opset < 11 && (inputs < 3 || !node.input_present[2])) {
      return InvalidModel("C is required before opset 11");
    }
    const Tensor *b = constants.size() > 1 ? constants[1] : nullptr;
    if (b != nullptr && b->dtype() == DType::kFloat32 && b->rank() == 2) {
      const GemmArch &arch = kernels::GemmArchFor(ActiveIsa());
      const int64_t k = trans_b_ ? b->dim(1) : b->dim(0);
      const int64_t n = trans_b_ ? b->dim(0) : b->dim(1);
      const kernels::StridedSource source = BSource(b->data<float>(), k, n);
      EXEC_RETURN_IF_ERROR(PackedPanels::Pack(arch, kernels::GemmSide::kB, source, n, k, &packed_b_));
    }
    return Status::Ok();
  }

  Status Infer(InferContext &ctx) const override {
    const ValueInfo &a = ctx.input(0);
    const ValueInfo &b = ctx.input(1);
    for (size_t i = 0; i < 3; ++i) {
      const DType type = kernels::InputType(ctx, i);
      if (type != DType::kUndefined && !kernels::IsGemmType(type)) {
        return TypeError("Gemm does not support %s", DTypeName(type));
      }
    }
    ValueInfo &y = ctx.output(0);
    y.dtype = a.dtype != DType::kUndefined ? a.dtype : b.dtype;
    y.rank_known = true;
    y.shape = {-1, -1};
    if (a.rank_known) {
      if (a.shape.size() != 2) return ShapeError("A %s is not a matrix", ShapeToString(a.shape).c_str());
      y.shape[0] = trans_a_ ? a.shape[1] : a.shape[0];
    }
    if (b.rank_known) {
      if (b.shape.size() != 2) return ShapeError("B %s is not a matrix", ShapeToString(b.shape).c_str());
      y.shape[1] = trans_b_ ? b.shape[0] : b.shape[1];
    }
    if (a.rank_known && b.rank_known) {
      const int64_t ka = trans_a_ ? a.shape[0] : a.shape[1], kb = trans_b_ ? b.shape[1] : b.shape[0];
      if (ka >= 0 && kb >= 0 && ka != kb) {
        return ShapeError("op(A) %s and op(B) %s disagree on K", ShapeToString(a.shape).c_str(),
                          ShapeToString(b.shape).c_str());
      }
    }
    return Status::Ok();
  }

  Status Run(RunContext &ctx) const override {
    const Tensor &a = *ctx.input(0);
    const Tensor &b = *ctx.input(1);
    const Tensor *c = ctx.input(2);
    if (a.dtype() != b.dtype() || (c != nullptr && c->dtype() != a.dtype()) || !kernels::IsGemmType(a.dtype())) {
      return TypeError("Gemm of %s, %s%s%s is not supported", DTypeName(a.dtype()), DTypeName(b.dtype()),
                       c != nullptr ? " and " : "", c != nullptr ? DTypeName(c->dtype()) : "");
    }
    if (a.rank() != 2 || b.rank() != 2) {
      return ShapeError("A %s and B %s must be matrices", ShapeToString(a.shape()).c_str(),
                        ShapeToString(b.shape()).c_str());
    }
    const int64_t m = trans_a_ ? a.dim(1) : a.dim(0), k = trans_a_ ? a.dim(0) : a.dim(1);
    const int64_t n = trans_b_ ? b.dim(0) : b.dim(1), kb = trans_b_ ? b.dim(1) : b.dim(0);
    if (k != kb) {
      return ShapeError("op(A) %s and op(B) %s disagree on K (%lld vs %lld)", ShapeToString(a.shape()).c_str(),
                        ShapeToString(b.shape()).c_str(), static_cast<long long>(k), static_cast<long long>(kb));
    }
    BiasKind bias = BiasKind::kNone;
    if (c != nullptr && beta_ != 0.0f) EXEC_RETURN_IF_ERROR(ClassifyBias(c->shape(), m, n, &bias));
    switch (a.dtype()) {
      case DType::kFloat32:
      case DType::kFloat16:
        return RunFloat(ctx, m, n, k, bias);
      case DType::kFloat64:
        return RunGeneric<double>(ctx, m, n, k, bias);
      case DType::kInt32:
        return RunGeneric<int32_t>(ctx, m, n, k, bias);
      case DType::kInt64:
        return RunGeneric<int64_t>(ctx, m, n, k, bias);
      case DType::kUint32:
        return RunGeneric<uint32_t>(ctx, m, n, k, bias);
      case DType::kUint64:
        return RunGeneric<uint64_t>(ctx, m, n, k, bias);
      default:
        return TypeError("Gemm does not support %s", DTypeName(a.dtype()));
    }
  }

 private:
  // B as the GEMM's B operand: lines are the N columns of op(B).
  kernels::StridedSource BSource(const float *b, int64_t k, int64_t n) const {
    return trans_b_ ? kernels::StridedSource(b, k, 1) : kernels::StridedSource(b, 1, n);
  }

  Status RunFloat(RunContext &ctx, int64_t m, int64_t n, int64_t k, BiasKind bias) const {
    Status status;
    Tensor a_storage, b_storage, c_storage;
    const Tensor *a = kernels::AsFloat32(*ctx.input(0), &a_storage, "A", &status);
    if (a == nullptr) return status;
    const Tensor *b = kernels::AsFloat32(*ctx.input(1), &b_storage, "B", &status);
    if (b == nullptr) return status;
    const Tensor *c = nullptr;
    if (bias != BiasKind::kNone) {
      c = kernels::AsFloat32(*ctx.input(2), &c_storage, "C", &status);
      if (c == nullptr) return status;
    }
    kernels::Float32Output y;
    EXEC_RETURN_IF_ERROR(y.Allocate(ctx, 0, ctx.input(0)->dtype(), {m, n}));
    if (m == 0 || n == 0) return Status::Ok();
    float *out = y.data();
    const GemmArch &arch = kernels::GemmArchFor(ctx.isa());

    kernels::GemmShape shape;
    shape.m = m;
    shape.n = n;
    shape.k = k;
    shape.alpha = alpha_;
    kernels::GemmProblem p;
    const bool epilogue_bias = beta_ == 1.0f && (bias == BiasKind::kRow || bias == BiasKind::kColumn);
    if (epilogue_bias) {
      (bias == BiasKind::kRow ? p.epilogue.col_bias : p.epilogue.row_bias) = c->data<float>();
    } else if (bias != BiasKind::kNone) {
      const float *values = c->data<float>();
      const float beta = beta_;
      ctx.pool().ParallelFor(m, kernels::GrainFor(n), [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          for (int64_t j = 0; j < n; ++j) out[i * n + j] = beta * BiasAt(values, bias, n, i, j);
        }
      });
      shape.accumulate = true;
    }
    const kernels::StridedSource a_source =
        trans_a_ ? kernels::StridedSource(a->data<float>(), 1, m) : kernels::StridedSource(a->data<float>(), k, 1);
    const kernels::StridedSource b_source = BSource(b->data<float>(), k, n);
    const bool use_packed =
        packed_b_ != nullptr && &packed_b_->arch() == &arch && packed_b_->lines() == n && packed_b_->depth() == k;
    p.a = &a_source;
    p.b = use_packed ? static_cast<const kernels::PanelSource *>(packed_b_.get()) : &b_source;
    p.c = out;
    p.ldc = n;
    EXEC_RETURN_IF_ERROR(kernels::Gemm(arch, shape, p, &ctx.pool()));
    y.Finish();
    return Status::Ok();
  }

  template <typename T>
  Status RunGeneric(RunContext &ctx, int64_t m, int64_t n, int64_t k, BiasKind bias) const {
    Tensor *y = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, ctx.input(0)->dtype(), {m, n}, &y));
    if (m == 0 || n == 0) return Status::Ok();
    const T *a = ctx.input(0)->data<T>();
    const T *b = ctx.input(1)->data<T>();
    const T *c = bias != BiasKind::kNone ? ctx.input(2)->data<T>() : nullptr;
    T *out = y->data<T>();
    const int64_t lda = trans_a_ ? m : k, ldb = trans_b_ ? k : n;
    const bool unit = alpha_ == 1.0f && (bias == BiasKind::kNone || beta_ == 1.0f);
    ctx.pool().ParallelFor(m, kernels::GrainFor(n * k), [&](int64_t begin, int64_t end) {
      kernels::GenericGemmRows<T>(trans_a_, trans_b_, begin, end, n, k, a, lda, b, ldb, out, n);
      for (int64_t i = begin; i < end; ++i) {
        for (int64_t j = 0; j < n; ++j) {
          T &v = out[i * n + j];
          if (unit) {
            // Integer sums wrap; so does adding the bias.
            if (c != nullptr) {
              v = static_cast<T>(static_cast<kernels::WrapType<T>>(v) +
                                 static_cast<kernels::WrapType<T>>(BiasAt(c, bias, n, i, j)));
            }
          } else {
            double value = static_cast<double>(alpha_) * static_cast<double>(v);
            if (c != nullptr) value += static_cast<double>(beta_) * static_cast<double>(BiasAt(c, bias, n, i, j));
            v = SaturatingCast<T>(value);
          }
        }
      }
    });
    return Status::Ok();
  }

  bool trans_a_ = false;
  bool trans_b_ = false;
  float alpha_ = 1.0f;
  float beta_ = 1.0f;
  std::unique_ptr<PackedPanels> packed_b_;  // a constant float32 B, for the ISA active at load
};

}  // namespace

ACLSIM_REGISTER_OP("Gemm", 1, 22, GemmKernel);

}  // namespace aclsim::exec
