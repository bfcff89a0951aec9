// The blocked float32 GEMM on every instruction set the CPU has, against a float64 reference:
// edge tiles (sizes 1, 7, 17, 63, 65, 129 around the register tiles), K = 0 and 1, transposed
// operands, alpha/beta, epilogues, prepacked operands, blocks with a moved origin, and threads.
#include <gtest/gtest.h>

#include <vector>

#include "ops_heavy_test_util.h"
#include "sim/executor/kernels/gemm.h"
#include "sim/executor/kernels/gemm_pack.h"

namespace {

using aclsim::exec::Isa;
using aclsim::exec::Status;
using aclsim::exec::ThreadPool;
using namespace aclsim::exec::kernels;
using heavytest::ExpectClose;
using heavytest::ForEachIsa;
using heavytest::RandomFloats;

// C = alpha·op(A)·op(B) + beta·C in double.
std::vector<double> Reference(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha,
                              const std::vector<float> &a, const std::vector<float> &b, float beta,
                              const std::vector<float> &c) {
  std::vector<double> out(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (int64_t p = 0; p < k; ++p) {
        sum += static_cast<double>(ta ? a[p * m + i] : a[i * k + p]) *
               static_cast<double>(tb ? b[j * k + p] : b[p * n + j]);
      }
      out[i * n + j] = alpha * sum + (beta != 0.0f ? beta * static_cast<double>(c[i * n + j]) : 0.0);
    }
  }
  return out;
}

void CheckSgemm(const GemmArch &arch, bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, float beta,
                ThreadPool *pool, uint32_t seed) {
  SCOPED_TRACE(testing::Message() << "m=" << m << " n=" << n << " k=" << k << " ta=" << ta << " tb=" << tb
                                  << " alpha=" << alpha << " beta=" << beta);
  const std::vector<float> a = RandomFloats(static_cast<size_t>(m * k), seed);
  const std::vector<float> b = RandomFloats(static_cast<size_t>(k * n), seed + 1);
  std::vector<float> c = RandomFloats(static_cast<size_t>(m * n), seed + 2);
  if (beta == 0.0f) std::fill(c.begin(), c.end(), std::nanf(""));  // beta 0 must not read C
  const std::vector<double> want = Reference(ta, tb, m, n, k, alpha, a, b, beta, c);
  const Status status =
      Sgemm(arch, ta, tb, m, n, k, alpha, a.data(), ta ? m : k, b.data(), tb ? k : n, beta, c.data(), n, pool);
  ASSERT_TRUE(status.ok()) << status.message();
  ExpectClose(c, want, 1e-5, 1e-5 * static_cast<double>(k + 1));
}

TEST(KernelsGemmTest, OddSizesOnEveryIsa) {
  ThreadPool pool(3);
  ForEachIsa([&](Isa isa) {
    const GemmArch &arch = GemmArchFor(isa);
    uint32_t seed = 1;
    for (int64_t m : {1, 7, 17, 65}) {
      for (int64_t n : {1, 17, 63, 129}) {
        for (int64_t k : {1, 7, 300}) {
          CheckSgemm(arch, false, false, m, n, k, 1.0f, 0.0f, &pool, seed++);
        }
      }
    }
  });
}

TEST(KernelsGemmTest, TransposesAlphaBetaOnEveryIsa) {
  ThreadPool pool(2);
  ForEachIsa([&](Isa isa) {
    const GemmArch &arch = GemmArchFor(isa);
    uint32_t seed = 100;
    for (bool ta : {false, true}) {
      for (bool tb : {false, true}) {
        CheckSgemm(arch, ta, tb, 63, 65, 129, 0.5f, 0.25f, &pool, seed++);
        CheckSgemm(arch, ta, tb, 17, 7, 1, -2.0f, 1.0f, nullptr, seed++);
        CheckSgemm(arch, ta, tb, 129, 33, 65, 1.0f, 0.0f, nullptr, seed++);
      }
    }
  });
}

TEST(KernelsGemmTest, DeepAndWideBlocksCrossTheCacheBlocking) {
  // Depth past two K blocks, rows past the A block, columns past the B block of every arch.
  ThreadPool pool(2);
  ForEachIsa([&](Isa isa) {
    const GemmArch &arch = GemmArchFor(isa);
    CheckSgemm(arch, false, false, 9, arch.nc + 37, 2 * arch.kc + 3, 1.0f, 1.0f, &pool, 7);
    CheckSgemm(arch, true, false, arch.mc + 5, 40, 3, 1.0f, 0.0f, &pool, 8);
  });
}

TEST(KernelsGemmTest, ZeroDepthWritesZerosOrKeepsC) {
  ForEachIsa([&](Isa isa) {
    const GemmArch &arch = GemmArchFor(isa);
    std::vector<float> c(6, 3.0f);
    ASSERT_TRUE(Sgemm(arch, false, false, 2, 3, 0, 1.0f, nullptr, 0, nullptr, 3, 0.0f, c.data(), 3, nullptr).ok());
    for (float v : c) EXPECT_EQ(v, 0.0f);
    std::fill(c.begin(), c.end(), 3.0f);
    ASSERT_TRUE(Sgemm(arch, false, false, 2, 3, 0, 1.0f, nullptr, 0, nullptr, 3, 0.5f, c.data(), 3, nullptr).ok());
    for (float v : c) EXPECT_EQ(v, 1.5f);
  });
}

TEST(KernelsGemmTest, EpilogueAddsBiasesAndRelu) {
  ThreadPool pool(2);
  ForEachIsa([&](Isa isa) {
    const GemmArch &arch = GemmArchFor(isa);
    const int64_t m = 37, n = 70, k = 19;
    const std::vector<float> a = RandomFloats(m * k, 1), b = RandomFloats(k * n, 2);
    const std::vector<float> row_bias = RandomFloats(m, 3), col_bias = RandomFloats(n, 4);
    std::vector<float> c(m * n);
    const StridedSource as(a.data(), k, 1), bs(b.data(), 1, n);
    GemmShape shape;
    shape.m = m;
    shape.n = n;
    shape.k = k;
    GemmProblem p;
    p.a = &as;
    p.b = &bs;
    p.c = c.data();
    p.ldc = n;
    p.epilogue.row_bias = row_bias.data();
    p.epilogue.col_bias = col_bias.data();
    p.epilogue.activation = Activation::kRelu;
    ASSERT_TRUE(Gemm(arch, shape, p, &pool).ok());
    std::vector<double> want = Reference(false, false, m, n, k, 1.0f, a, b, 0.0f, c);
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double &w = want[i * n + j];
        w = std::max(0.0, w + row_bias[i] + col_bias[j]);
      }
    }
    ExpectClose(c, want);
  });
}

TEST(KernelsGemmTest, PrepackedOperandsMatchStrided) {
  ThreadPool pool(3);
  ForEachIsa([&](Isa isa) {
    const GemmArch &arch = GemmArchFor(isa);
    const int64_t m = 45, n = 77, k = 2 * arch.kc + 11;
    const std::vector<float> a = RandomFloats(m * k, 11), b = RandomFloats(k * n, 12);
    const StridedSource as(a.data(), k, 1), bs(b.data(), 1, n);
    std::unique_ptr<PackedPanels> pa, pb;
    ASSERT_TRUE(PackedPanels::Pack(arch, GemmSide::kA, as, m, k, &pa).ok());
    ASSERT_TRUE(PackedPanels::Pack(arch, GemmSide::kB, bs, n, k, &pb).ok());
    GemmShape shape;
    shape.m = m;
    shape.n = n;
    shape.k = k;
    std::vector<float> c(m * n);
    GemmProblem p;
    p.a = pa.get();
    p.b = pb.get();
    p.c = c.data();
    p.ldc = n;
    ASSERT_TRUE(Gemm(arch, shape, p, &pool).ok());
    ExpectClose(c, Reference(false, false, m, n, k, 1.0f, a, b, 0.0f, c), 1e-5, 1e-3);
    // Asked for panels it does not hold (another width), packed panels answer nullptr.
    std::vector<float> scratch(static_cast<size_t>(k * 64));
    EXPECT_EQ(pa->Panels(arch, arch.nr + 1, 0, 1, 0, 1, scratch.data()), nullptr);
  });
}

TEST(KernelsGemmTest, BlockWithMovedOriginWritesOnlyItsBuffer) {
  ForEachIsa([&](Isa isa) {
    const GemmArch &arch = GemmArchFor(isa);
    const int64_t m = 20, n = 50, k = 9;
    const std::vector<float> a = RandomFloats(m * k, 21), b = RandomFloats(k * n, 22);
    const StridedSource as(a.data(), k, 1), bs(b.data(), 1, n);
    const int64_t n0 = 2 * arch.nr > n ? arch.nr : 2 * arch.nr, n1 = n;
    std::vector<float> block(static_cast<size_t>(m * (n1 - n0) + 1), -7.0f);
    GemmShape shape;
    shape.m = m;
    shape.n = n;
    shape.k = k;
    GemmProblem p;
    p.a = &as;
    p.b = &bs;
    p.c = block.data();
    p.ldc = n1 - n0;
    p.c_col0 = n0;
    ASSERT_TRUE(GemmBlock(arch, shape, p, 0, m, n0, n1).ok());
    const std::vector<double> full = Reference(false, false, m, n, k, 1.0f, a, b, 0.0f, {});
    std::vector<double> want;
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = n0; j < n1; ++j) want.push_back(full[i * n + j]);
    }
    EXPECT_EQ(block.back(), -7.0f);  // the guard past the block is untouched
    block.pop_back();
    ExpectClose(block, want);
  });
}

TEST(KernelsGemmTest, BatchOfProblemsOverThreads) {
  ThreadPool pool(4);
  ForEachIsa([&](Isa isa) {
    const GemmArch &arch = GemmArchFor(isa);
    const int64_t count = 5, m = 13, n = 31, k = 17;
    const std::vector<float> a = RandomFloats(count * m * k, 31), b = RandomFloats(count * k * n, 32);
    std::vector<StridedSource> as, bs;
    for (int64_t i = 0; i < count; ++i) {
      as.emplace_back(a.data() + i * m * k, k, 1);
      bs.emplace_back(b.data() + i * k * n, 1, n);
    }
    std::vector<float> c(count * m * n);
    GemmShape shape;
    shape.m = m;
    shape.n = n;
    shape.k = k;
    ASSERT_TRUE(GemmBatch(
                    arch, shape, count,
                    [&](int64_t i) {
                      GemmProblem p;
                      p.a = &as[i];
                      p.b = &bs[i];
                      p.c = c.data() + i * m * n;
                      p.ldc = n;
                      return p;
                    },
                    &pool)
                    .ok());
    for (int64_t i = 0; i < count; ++i) {
      const std::vector<float> ai(a.begin() + i * m * k, a.begin() + (i + 1) * m * k);
      const std::vector<float> bi(b.begin() + i * k * n, b.begin() + (i + 1) * k * n);
      const std::vector<float> ci(c.begin() + i * m * n, c.begin() + (i + 1) * m * n);
      ExpectClose(ci, Reference(false, false, m, n, k, 1.0f, ai, bi, 0.0f, ci));
    }
  });
}

TEST(KernelsGemmTest, ThreadCountDoesNotChangeResults) {
  // Tiles split differently over 1 and 4 threads, but each element is still one dot product in
  // depth order: the results are bit-identical.
  ForEachIsa([&](Isa isa) {
    const GemmArch &arch = GemmArchFor(isa);
    const int64_t m = 100, n = 300, k = 700;
    const std::vector<float> a = RandomFloats(m * k, 41), b = RandomFloats(k * n, 42);
    std::vector<float> c1(m * n), c4(m * n);
    ThreadPool one(1), four(4);
    ASSERT_TRUE(Sgemm(arch, false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, c1.data(), n, &one).ok());
    ASSERT_TRUE(Sgemm(arch, false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, c4.data(), n, &four).ok());
    EXPECT_EQ(c1, c4);
  });
}

TEST(KernelsGemmTest, KStepEvensOutBlocks) {
  const GemmArch &arch = GemmArchFor(Isa::kScalar);
  EXPECT_EQ(KStep(arch, 1), 1);
  EXPECT_EQ(KStep(arch, arch.kc), arch.kc);
  const int64_t step = KStep(arch, arch.kc + 1);
  EXPECT_LT(step, arch.kc);
  EXPECT_GE(2 * step, arch.kc + 1);
}

}  // namespace
