// Transpose. Dims of size 1 are dropped and dims that stay neighbours are merged first, so most
// real permutations become either no copy at all, a copy of contiguous blocks, or a (batched)
// 2-D transpose done in cache-sized tiles; what remains is walked row by row.
#include <algorithm>
#include <cstring>
#include <numeric>

#include "sim/executor/ops/op_util.h"

namespace aclsim::exec::ops {
namespace {

Status ResolvePerm(const std::vector<int64_t> &attribute, size_t rank, std::vector<int64_t> *perm) {
  if (attribute.empty()) {
    perm->resize(rank);
    for (size_t i = 0; i < rank; ++i) (*perm)[i] = static_cast<int64_t>(rank - 1 - i);
    return Status::Ok();
  }
  if (attribute.size() != rank) {
    return ShapeError("perm %s has %zu entries for an input of rank %zu", ShapeToString(attribute).c_str(),
                      attribute.size(), rank);
  }
  std::vector<bool> seen(rank, false);
  perm->clear();
  for (int64_t axis : attribute) {
    int64_t a = 0;
    EXEC_RETURN_IF_ERROR(NormalizeAxis(axis, static_cast<int64_t>(rank), "perm entry", &a));
    if (seen[a]) return ShapeError("perm %s is not a permutation", ShapeToString(attribute).c_str());
    seen[a] = true;
    perm->push_back(a);
  }
  return Status::Ok();
}

// The permutation reduced to what moves memory: input dims (in input order) and the order in
// which the output visits them.
struct Reduced {
  std::vector<int64_t> dims;  // merged input dims
  std::vector<int64_t> perm;  // output dim k is merged input dim perm[k]
};

Reduced Reduce(const Shape &in, const std::vector<int64_t> &perm) {
  // Output order of the non-trivial input dims.
  std::vector<int64_t> order;
  for (int64_t axis : perm) {
    if (in[axis] != 1) order.push_back(axis);
  }
  // Merge runs that are consecutive in both orders.
  std::vector<std::vector<int64_t>> groups;
  for (int64_t axis : order) {
    if (!groups.empty()) {
      int64_t last = groups.back().back();
      // The next non-trivial input dim after `last` must be `axis`.
      int64_t next = last + 1;
      while (next < static_cast<int64_t>(in.size()) && in[next] == 1) ++next;
      if (next == axis) {
        groups.back().push_back(axis);
        continue;
      }
    }
    groups.push_back({axis});
  }
  // Number the groups in input order.
  std::vector<size_t> by_input(groups.size());
  std::iota(by_input.begin(), by_input.end(), 0);
  std::sort(by_input.begin(), by_input.end(), [&](size_t a, size_t b) { return groups[a][0] < groups[b][0]; });
  Reduced reduced;
  std::vector<int64_t> index_of(groups.size());
  for (size_t i = 0; i < by_input.size(); ++i) {
    int64_t size = 1;
    for (int64_t axis : groups[by_input[i]]) size *= in[axis];
    reduced.dims.push_back(size);
    index_of[by_input[i]] = static_cast<int64_t>(i);
  }
  for (size_t g = 0; g < groups.size(); ++g) reduced.perm.push_back(index_of[g]);
  return reduced;
}

// out[c][r] = in[r][c] for the columns [c_begin, c_end) of a rows x cols matrix, in tiles that
// fit in L1.
template <typename T>
void Transpose2D(const T *in, T *out, int64_t rows, int64_t cols, int64_t c_begin, int64_t c_end) {
  constexpr int64_t kTile = 32;
  for (int64_t r0 = 0; r0 < rows; r0 += kTile) {
    const int64_t r1 = std::min(rows, r0 + kTile);
    for (int64_t c0 = c_begin; c0 < c_end; c0 += kTile) {
      const int64_t c1 = std::min(c_end, c0 + kTile);
      for (int64_t c = c0; c < c1; ++c) {
        for (int64_t r = r0; r < r1; ++r) out[c * rows + r] = in[r * cols + c];
      }
    }
  }
}

template <typename T>
void Permute(const T *in, T *out, const Reduced &r, ThreadPool &pool) {
  const size_t rank = r.dims.size();
  const std::vector<int64_t> in_strides = Strides(r.dims);
  Shape out_dims(rank);
  std::vector<int64_t> stride_of_out(rank);  // input stride of each output dim
  for (size_t k = 0; k < rank; ++k) {
    out_dims[k] = r.dims[r.perm[k]];
    stride_of_out[k] = in_strides[r.perm[k]];
  }
  // Batched 2-D transpose: [B, M, N] -> [B, N, M].
  if ((rank == 2 && r.perm[0] == 1) || (rank == 3 && r.perm[0] == 0 && r.perm[1] == 2 && r.perm[2] == 1)) {
    const int64_t batch = rank == 3 ? r.dims[0] : 1;
    const int64_t rows = r.dims[rank - 2], cols = r.dims[rank - 1];
    if (batch > 1) {
      pool.ParallelFor(batch, 1, [&](int64_t b0, int64_t b1) {
        for (int64_t b = b0; b < b1; ++b) Transpose2D(in + b * rows * cols, out + b * rows * cols, rows, cols, 0, cols);
      });
    } else {  // split the input columns (output rows) between threads
      const int64_t grain = std::max<int64_t>(32, kElementGrain / std::max<int64_t>(1, rows));
      pool.ParallelFor(cols, grain, [&](int64_t c0, int64_t c1) { Transpose2D(in, out, rows, cols, c0, c1); });
    }
    return;
  }
  const int64_t inner = out_dims[rank - 1];
  const int64_t inner_stride = stride_of_out[rank - 1];
  int64_t rows = 1;
  for (size_t k = 0; k + 1 < rank; ++k) rows *= out_dims[k];
  pool.ParallelFor(rows, std::max<int64_t>(1, kElementGrain / std::max<int64_t>(1, inner)), [&](int64_t begin, int64_t end) {
    std::vector<int64_t> index(rank, 0);
    int64_t rest = begin;
    int64_t offset = 0;
    for (size_t k = rank - 1; k-- > 0;) {
      index[k] = rest % out_dims[k];
      rest /= out_dims[k];
      offset += index[k] * stride_of_out[k];
    }
    for (int64_t row = begin; row < end; ++row) {
      T *dst = out + row * inner;
      const T *src = in + offset;
      if (inner_stride == 1) {
        std::memcpy(dst, src, static_cast<size_t>(inner) * sizeof(T));
      } else {
        for (int64_t i = 0; i < inner; ++i) dst[i] = src[i * inner_stride];
      }
      for (size_t k = rank - 1; k-- > 0;) {
        offset += stride_of_out[k];
        if (++index[k] < out_dims[k]) break;
        offset -= out_dims[k] * stride_of_out[k];
        index[k] = 0;
      }
    }
  });
}

class TransposeKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    perm_ = node.attributes.Ints("perm");
    return CheckArity(node, 1, 1, 1, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    if (!x.rank_known) {
      if (perm_.empty()) {
        SetUnknownRank(ctx, 0, x.dtype);
      } else {
        SetKnown(ctx, 0, x.dtype, Shape(perm_.size(), -1));
      }
      return Status::Ok();
    }
    std::vector<int64_t> perm;
    EXEC_RETURN_IF_ERROR(ResolvePerm(perm_, x.shape.size(), &perm));
    Shape out;
    for (int64_t axis : perm) out.push_back(x.shape[axis]);
    SetKnown(ctx, 0, x.dtype, std::move(out));
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    std::vector<int64_t> perm;
    EXEC_RETURN_IF_ERROR(ResolvePerm(perm_, x.rank(), &perm));
    Shape out_shape;
    for (int64_t axis : perm) out_shape.push_back(x.dim(static_cast<size_t>(axis)));
    const Reduced reduced = Reduce(x.shape(), perm);
    bool identity = true;
    for (size_t k = 0; k < reduced.perm.size(); ++k) identity = identity && reduced.perm[k] == static_cast<int64_t>(k);
    if (identity || x.elements() == 0) {  // only size-1 dims move: same bytes
      ctx.SetOutput(0, x.Reshaped(std::move(out_shape)));
      return Status::Ok();
    }
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, x.dtype(), std::move(out_shape), &out));
    return DispatchBySize(x.dtype(), "input", [&](auto tag) {
      using T = decltype(tag);
      Permute<T>(x.data<T>(), out->data<T>(), reduced, ctx.pool());
      return Status::Ok();
    });
  }

 private:
  std::vector<int64_t> perm_;
};

}  // namespace

ACLSIM_REGISTER_OP("Transpose", 1, kLatestOpset, TransposeKernel);

}  // namespace aclsim::exec::ops
