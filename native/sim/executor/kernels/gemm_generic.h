// Matrix products for the element types the float32 GEMM does not cover (float64 and the integer
// types of MatMul and Gemm): straightforward loops in the i-k-j order, which stream rows of B and
// C and let the compiler vectorise the inner loop. Integer arithmetic wraps around (two's
// complement), as onnxruntime's does, instead of overflowing into undefined behaviour.
#ifndef ASCENDCL_SIM_EXECUTOR_KERNELS_GEMM_GENERIC_H_
#define ASCENDCL_SIM_EXECUTOR_KERNELS_GEMM_GENERIC_H_

#include <cstdint>
#include <type_traits>

#include "sim/executor/dtype.h"

namespace aclsim::exec::kernels {

// The element types MatMul and Gemm take: float32 and float16 on the blocked GEMM, the rest here.
inline bool IsGemmType(DType type) {
  switch (type) {
    case DType::kFloat32:
    case DType::kFloat16:
    case DType::kFloat64:
    case DType::kInt32:
    case DType::kInt64:
    case DType::kUint32:
    case DType::kUint64:
      return true;
    default:
      return false;
  }
}

// The type integer sums are formed in: unsigned, so that overflow is defined (it wraps).
template <typename T, bool = std::is_integral_v<T>>
struct Wrap {
  using type = T;
};
template <typename T>
struct Wrap<T, true> {
  using type = std::make_unsigned_t<T>;
};
template <typename T>
using WrapType = typename Wrap<T>::type;

// Rows [row0, row1) of C = op(A)·op(B), op a transpose when trans_*; element (i, p) of op(A) is
// a[i * lda + p] (a[p * lda + i] when transposed), likewise for B. C is overwritten.
template <typename T>
void GenericGemmRows(bool trans_a, bool trans_b, int64_t row0, int64_t row1, int64_t n, int64_t k, const T *a,
                     int64_t lda, const T *b, int64_t ldb, T *c, int64_t ldc) {
  using W = WrapType<T>;
  for (int64_t i = row0; i < row1; ++i) {
    W *row = reinterpret_cast<W *>(c + i * ldc);
    for (int64_t j = 0; j < n; ++j) row[j] = W(0);
    for (int64_t p = 0; p < k; ++p) {
      const W value = static_cast<W>(trans_a ? a[p * lda + i] : a[i * lda + p]);
      if (!trans_b) {
        const T *b_row = b + p * ldb;
        for (int64_t j = 0; j < n; ++j) row[j] += value * static_cast<W>(b_row[j]);
      } else {
        for (int64_t j = 0; j < n; ++j) row[j] += value * static_cast<W>(b[j * ldb + p]);
      }
    }
  }
}

}  // namespace aclsim::exec::kernels

#endif  // ASCENDCL_SIM_EXECUTOR_KERNELS_GEMM_GENERIC_H_
