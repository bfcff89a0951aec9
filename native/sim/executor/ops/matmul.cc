// MatMul (opsets 1, 9, 13): numpy matmul semantics — 1-D operands promoted to a row (A) or a
// column (B) and the promoted dim removed from the result, batch dims broadcast. float32 on the
// blocked GEMM (float16 through it), float64 and the 32/64-bit integer types on plain loops.
//
// A constant 2-D B (a layer's weights) is packed once at load; when B has no batch dims the
// batch dims of A fold into its rows, so a [batch, tokens, hidden] × [hidden, out] product is one
// large GEMM rather than many small ones.
#include <algorithm>
#include <memory>
#include <vector>

#include "sim/executor/kernels/gemm.h"
#include "sim/executor/kernels/gemm_generic.h"
#include "sim/executor/kernels/op_support.h"
#include "sim/executor/op.h"

namespace aclsim::exec {
namespace {

using kernels::GemmArch;
using kernels::PackedPanels;

// The product's geometry: promoted operand shapes, the broadcast batch, and the result shape.
struct MatMulPlan {
  int64_t m = 0, n = 0, k = 0;
  Shape batch;                          // broadcast batch dims
  std::vector<int64_t> a_batch_stride;  // per batch dim, in elements (0 where broadcast)
  std::vector<int64_t> b_batch_stride;
  Shape result;
  int64_t batch_count() const { return ElementCount(batch); }
};

// Builds the plan from shapes that may hold -1 (unknown) when `known` is false (inference).
Status PlanMatMul(const Shape &a_in, const Shape &b_in, MatMulPlan *plan) {
  if (a_in.empty() || b_in.empty()) {
    return ShapeError("MatMul operands must have rank >= 1, got %s and %s", ShapeToString(a_in).c_str(),
                      ShapeToString(b_in).c_str());
  }
  Shape a = a_in, b = b_in;
  const bool a_vector = a.size() == 1, b_vector = b.size() == 1;
  if (a_vector) a.insert(a.begin(), 1);
  if (b_vector) b.push_back(1);
  plan->m = a[a.size() - 2];
  plan->k = a[a.size() - 1];
  plan->n = b[b.size() - 1];
  const int64_t b_k = b[b.size() - 2];
  if (plan->k >= 0 && b_k >= 0 && plan->k != b_k) {
    return ShapeError("A %s and B %s disagree on the inner dimension (%lld vs %lld)", ShapeToString(a_in).c_str(),
                      ShapeToString(b_in).c_str(), static_cast<long long>(plan->k), static_cast<long long>(b_k));
  }
  if (plan->k < 0) plan->k = b_k;
  const size_t a_rank = a.size() - 2, b_rank = b.size() - 2;
  const size_t rank = std::max(a_rank, b_rank);
  plan->batch.assign(rank, 1);
  plan->a_batch_stride.assign(rank, 0);
  plan->b_batch_stride.assign(rank, 0);
  int64_t a_stride = plan->m * plan->k, b_stride = plan->k * plan->n;
  for (size_t i = rank; i-- > 0;) {
    const int64_t ad = i + a_rank >= rank ? a[i + a_rank - rank] : 1;
    const int64_t bd = i + b_rank >= rank ? b[i + b_rank - rank] : 1;
    int64_t d;
    if (ad == bd || bd == 1) {
      d = ad;
    } else if (ad == 1) {
      d = bd;
    } else if (ad < 0 || bd < 0) {
      d = ad < 0 ? bd : ad;  // an unknown dim against a known one (not 1) must equal it
    } else {
      return ShapeError("batch dims of A %s and B %s do not broadcast", ShapeToString(a_in).c_str(),
                        ShapeToString(b_in).c_str());
    }
    if (ad == -1 && bd == 1) d = -1;
    plan->batch[i] = d;
    plan->a_batch_stride[i] = ad == 1 ? 0 : a_stride;
    plan->b_batch_stride[i] = bd == 1 ? 0 : b_stride;
    a_stride *= std::max<int64_t>(ad, 0);
    b_stride *= std::max<int64_t>(bd, 0);
  }
  plan->result = plan->batch;
  if (!a_vector) plan->result.push_back(plan->m);
  if (!b_vector) plan->result.push_back(plan->n);
  return Status::Ok();
}

// Element offsets of A and B for batch index `index`.
void BatchOffsets(const MatMulPlan &plan, int64_t index, int64_t *a_offset, int64_t *b_offset) {
  *a_offset = *b_offset = 0;
  for (size_t i = plan.batch.size(); i-- > 0;) {
    const int64_t d = plan.batch[i];
    const int64_t coordinate = index % d;
    index /= d;
    *a_offset += coordinate * plan.a_batch_stride[i];
    *b_offset += coordinate * plan.b_batch_stride[i];
  }
}

template <typename T>
void GenericMatMul(RunContext &ctx, const MatMulPlan &plan, const T *a, const T *b, T *c) {
  const int64_t batches = plan.batch_count();
  const int64_t m = plan.m, n = plan.n, k = plan.k;
  ctx.pool().ParallelFor(batches * m, kernels::GrainFor(n * k), [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end;) {
      const int64_t index = row / m, i0 = row % m;
      const int64_t i1 = std::min(m, i0 + (end - row));
      int64_t a_offset, b_offset;
      BatchOffsets(plan, index, &a_offset, &b_offset);
      kernels::GenericGemmRows<T>(false, false, i0, i1, n, k, a + a_offset, k, b + b_offset, n, c + index * m * n, n);
      row += i1 - i0;
    }
  });
}

class MatMulKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    if (node.input_present.size() != 2 || !node.input_present[0] || !node.input_present[1]) {
      return InvalidModel("MatMul takes exactly two inputs");
    }
    const Tensor *b = constants.size() > 1 ? constants[1] : nullptr;
    if (b != nullptr && b->dtype() == DType::kFloat32 && b->rank() == 2 && b->dim(1) > 1) {
      const GemmArch &arch = kernels::GemmArchFor(ActiveIsa());
      const int64_t k = b->dim(0), n = b->dim(1);
      const kernels::StridedSource source(b->data<float>(), 1, n);
      EXEC_RETURN_IF_ERROR(PackedPanels::Pack(arch, kernels::GemmSide::kB, source, n, k, &packed_b_));
    }
    return Status::Ok();
  }

  Status Infer(InferContext &ctx) const override {
    const ValueInfo &a = ctx.input(0);
    const ValueInfo &b = ctx.input(1);
    for (const ValueInfo *v : {&a, &b}) {
      if (v->dtype != DType::kUndefined && !kernels::IsGemmType(v->dtype)) {
        return TypeError("MatMul does not support %s", DTypeName(v->dtype));
      }
    }
    if (a.dtype != DType::kUndefined && b.dtype != DType::kUndefined && a.dtype != b.dtype) {
      return TypeError("A is %s but B is %s", DTypeName(a.dtype), DTypeName(b.dtype));
    }
    ValueInfo &y = ctx.output(0);
    y.dtype = a.dtype != DType::kUndefined ? a.dtype : b.dtype;
    y.rank_known = a.rank_known && b.rank_known;
    if (!y.rank_known) return Status::Ok();
    MatMulPlan plan;
    EXEC_RETURN_IF_ERROR(PlanMatMul(a.shape, b.shape, &plan));
    y.shape = plan.result;
    return Status::Ok();
  }

  Status Run(RunContext &ctx) const override {
    const Tensor &a = *ctx.input(0);
    const Tensor &b = *ctx.input(1);
    if (a.dtype() != b.dtype() || !kernels::IsGemmType(a.dtype())) {
      return TypeError("MatMul of %s and %s is not supported", DTypeName(a.dtype()), DTypeName(b.dtype()));
    }
    MatMulPlan plan;
    EXEC_RETURN_IF_ERROR(PlanMatMul(a.shape(), b.shape(), &plan));
    switch (a.dtype()) {
      case DType::kFloat32:
      case DType::kFloat16:
        return RunFloat(ctx, plan);
      case DType::kFloat64:
        return RunGeneric<double>(ctx, plan);
      case DType::kInt32:
        return RunGeneric<int32_t>(ctx, plan);
      case DType::kInt64:
        return RunGeneric<int64_t>(ctx, plan);
      case DType::kUint32:
        return RunGeneric<uint32_t>(ctx, plan);
      case DType::kUint64:
        return RunGeneric<uint64_t>(ctx, plan);
      default:
        return TypeError("MatMul does not support %s", DTypeName(a.dtype()));
    }
  }

 private:
  template <typename T>
  Status RunGeneric(RunContext &ctx, const MatMulPlan &plan) const {
    Tensor *y = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, ctx.input(0)->dtype(), plan.result, &y));
    if (y->elements() == 0) return Status::Ok();
    GenericMatMul<T>(ctx, plan, ctx.input(0)->data<T>(), ctx.input(1)->data<T>(), y->data<T>());
    return Status::Ok();
  }

  Status RunFloat(RunContext &ctx, const MatMulPlan &plan) const {
    Status status;
    Tensor a_storage, b_storage;
    const Tensor *a = kernels::AsFloat32(*ctx.input(0), &a_storage, "A", &status);
    if (a == nullptr) return status;
    const Tensor *b = kernels::AsFloat32(*ctx.input(1), &b_storage, "B", &status);
    if (b == nullptr) return status;
    kernels::Float32Output y;
    EXEC_RETURN_IF_ERROR(y.Allocate(ctx, 0, ctx.input(0)->dtype(), plan.result));
    if (ElementCount(plan.result) == 0) return Status::Ok();
    float *c = y.data();
    const int64_t m = plan.m, n = plan.n, k = plan.k;
    const GemmArch &arch = kernels::GemmArchFor(ctx.isa());
    kernels::GemmShape shape;
    shape.m = m;
    shape.n = n;
    shape.k = k;

    bool b_shared = true;  // one B for every batch index
    for (int64_t stride : plan.b_batch_stride) b_shared = b_shared && stride == 0;
    if (b_shared && n == 1) {
      // Matrix × vector: computed as the row vector Bᵀ times Aᵀ, so that the GEMM's wide vector
      // side runs along A's rows instead of a single column.
      const int64_t rows = plan.batch_count() * m;  // A's batch dims fold into its rows
      const kernels::StridedSource vector(b->data<float>(), 0, 1);
      const kernels::StridedSource matrix(a->data<float>(), k, 1);
      bool a_folds = true;
      for (size_t i = 0; i < plan.batch.size(); ++i)
        a_folds = a_folds && (plan.batch[i] == 1 || plan.a_batch_stride[i] != 0);
      if (a_folds) {
        shape.m = 1;
        shape.n = rows;
        kernels::GemmProblem p;
        p.a = &vector;
        p.b = &matrix;
        p.c = c;
        p.ldc = rows;
        EXEC_RETURN_IF_ERROR(kernels::Gemm(arch, shape, p, &ctx.pool()));
        y.Finish();
        return Status::Ok();
      }
    }
    const PackedPanels *packed = packed_b_ != nullptr && &packed_b_->arch() == &arch && packed_b_->depth() == k &&
                                         packed_b_->lines() == n && b->rank() == 2
                                     ? packed_b_.get()
                                     : nullptr;
    if (b_shared) {
      // Fold A's batch dims into its rows (A is contiguous, and every batch uses the same B).
      bool a_folds = true;
      for (size_t i = 0; i < plan.batch.size(); ++i)
        a_folds = a_folds && (plan.batch[i] == 1 || plan.a_batch_stride[i] != 0);
      if (a_folds) {
        shape.m = plan.batch_count() * m;
        const kernels::StridedSource a_source(a->data<float>(), k, 1);
        const kernels::StridedSource b_source(b->data<float>(), 1, n);
        kernels::GemmProblem p;
        p.a = &a_source;
        p.b = packed != nullptr ? static_cast<const kernels::PanelSource *>(packed) : &b_source;
        p.c = c;
        p.ldc = n;
        EXEC_RETURN_IF_ERROR(kernels::Gemm(arch, shape, p, &ctx.pool()));
        y.Finish();
        return Status::Ok();
      }
    }
    const int64_t batches = plan.batch_count();
    std::vector<kernels::StridedSource> a_sources, b_sources;
    a_sources.reserve(batches);
    b_sources.reserve(batches);
    for (int64_t index = 0; index < batches; ++index) {
      int64_t a_offset, b_offset;
      BatchOffsets(plan, index, &a_offset, &b_offset);
      a_sources.emplace_back(a->data<float>() + a_offset, k, 1);
      b_sources.emplace_back(b->data<float>() + b_offset, 1, n);
    }
    EXEC_RETURN_IF_ERROR(kernels::GemmBatch(
        arch, shape, batches,
        [&](int64_t index) {
          kernels::GemmProblem p;
          p.a = &a_sources[index];
          p.b = packed != nullptr ? static_cast<const kernels::PanelSource *>(packed) : &b_sources[index];
          p.c = c + index * m * n;
          p.ldc = n;
          return p;
        },
        &ctx.pool()));
    y.Finish();
    return Status::Ok();
  }

  std::unique_ptr<PackedPanels> packed_b_;  // a constant 2-D float32 B, for the ISA active at load
};

}  // namespace

ACLSIM_REGISTER_OP("MatMul", 1, 22, MatMulKernel);

}  // namespace aclsim::exec
