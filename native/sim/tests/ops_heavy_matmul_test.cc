// MatMul and Gemm through their registered kernels, on every instruction set, against float64
// loops: numpy's 1-D promotion and batch broadcasting, constant (prepacked) weights, the
// matrix-vector path, every Gemm attribute and bias shape, float16, float64 and integer types.
#include <gtest/gtest.h>

#include <vector>

#include "ops_heavy_test_util.h"

namespace {

using namespace heavytest;
using aclsim::exec::ElementCount;

// Row-major matmul of [batch.., m, k] × [batch.., k, n] with broadcast batch dims (both given
// already expanded to `batch`), in double.
std::vector<double> BatchedReference(const std::vector<float> &a, const Shape &as, const std::vector<float> &b,
                                     const Shape &bs, const Shape &batch, int64_t m, int64_t k, int64_t n) {
  const int64_t count = ElementCount(batch);
  std::vector<double> out(static_cast<size_t>(count * m * n));
  const size_t rank = batch.size();
  for (int64_t index = 0; index < count; ++index) {
    // Offsets with broadcasting: each operand's batch dims aligned right.
    int64_t rest = index, a_off = 0, b_off = 0, a_stride = m * k, b_stride = k * n;
    for (size_t d = rank; d-- > 0;) {
      const int64_t coordinate = rest % batch[d];
      rest /= batch[d];
      const int64_t ad = d + as.size() >= rank + 2 ? as[d + as.size() - 2 - rank] : 1;
      const int64_t bd = d + bs.size() >= rank + 2 ? bs[d + bs.size() - 2 - rank] : 1;
      a_off += (ad == 1 ? 0 : coordinate) * a_stride;
      b_off += (bd == 1 ? 0 : coordinate) * b_stride;
      a_stride *= ad;
      b_stride *= bd;
    }
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (int64_t p = 0; p < k; ++p) sum += static_cast<double>(a[a_off + i * k + p]) * b[b_off + p * n + j];
        out[(index * m + i) * n + j] = sum;
      }
    }
  }
  return out;
}

void CheckMatMul(const Shape &as, const Shape &bs, const Shape &want_shape, bool constant_b) {
  SCOPED_TRACE(aclsim::exec::ShapeToString(as) + " x " + aclsim::exec::ShapeToString(bs));
  const Tensor a = RandomTensor(as, 1), b = RandomTensor(bs, 2);
  // Expanded views for the reference: 1-D A is a row, 1-D B a column.
  Shape ae = as, be = bs;
  if (ae.size() == 1) ae.insert(ae.begin(), 1);
  if (be.size() == 1) be.push_back(1);
  const int64_t m = ae[ae.size() - 2], k = ae.back(), n = be.back();
  Shape batch;
  const size_t rank = std::max(ae.size(), be.size()) - 2;
  for (size_t d = 0; d < rank; ++d) {
    const int64_t ad = d + ae.size() >= rank + 2 ? ae[d + ae.size() - 2 - rank] : 1;
    const int64_t bd = d + be.size() >= rank + 2 ? be[d + be.size() - 2 - rank] : 1;
    batch.push_back(std::max(ad, bd));
  }
  const std::vector<double> want = BatchedReference(Values(a), ae, Values(b), be, batch, m, k, n);
  ThreadPool pool(3);
  ForEachIsa([&](Isa) {
    OpHarness h("MatMul", 13, 2);
    const Status init = constant_b ? h.Init({nullptr, &b}) : h.Init();
    ASSERT_TRUE(init.ok()) << init.message();
    std::vector<ValueInfo> inferred;
    ASSERT_TRUE(h.Infer({Known(DType::kFloat32, as), Known(DType::kFloat32, bs)}, &inferred).ok());
    EXPECT_EQ(inferred[0].shape, want_shape);
    std::vector<Tensor> out;
    const Status run = h.Run({&a, &b}, &out, pool);
    ASSERT_TRUE(run.ok()) << run.message();
    ASSERT_EQ(out[0].shape(), want_shape);
    ExpectClose(Values(out[0]), want);
  });
}

TEST(OpsHeavyMatMulTest, ShapesAndBroadcasting) {
  for (bool constant : {false, true}) {
    SCOPED_TRACE(constant ? "constant B" : "run-time B");
    CheckMatMul({7, 5}, {5, 9}, {7, 9}, constant);
    CheckMatMul({65, 129}, {129, 33}, {65, 33}, constant);
    CheckMatMul({2, 3, 17, 8}, {8, 40}, {2, 3, 17, 40}, constant);  // A's batch folds into rows
    CheckMatMul({2, 1, 6, 8}, {3, 8, 5}, {2, 3, 6, 5}, constant);   // both broadcast
    CheckMatMul({4, 6, 8}, {4, 8, 5}, {4, 6, 5}, constant);
    CheckMatMul({8}, {8, 5}, {5}, constant);                  // 1-D A
    CheckMatMul({3, 6, 8}, {8}, {3, 6}, constant);            // 1-D B: matrix × vector
    CheckMatMul({100, 300}, {300, 1}, {100, 1}, constant);    // column B
    CheckMatMul({8}, {8}, {}, constant);                      // dot product
    CheckMatMul({1, 512}, {512, 1000}, {1, 1000}, constant);  // a classifier head
  }
}

TEST(OpsHeavyMatMulTest, ZeroSizedDims) {
  ThreadPool pool(1);
  const Tensor a = RandomTensor({3, 0}, 1), b = RandomTensor({0, 4}, 2);
  OpHarness h("MatMul", 13, 2);
  const Tensor y = h.InitAndRun({&a, &b}, pool);
  ASSERT_EQ(y.shape(), (Shape{3, 4}));
  for (float v : Values(y)) EXPECT_EQ(v, 0.0f);
  const Tensor e = RandomTensor({0, 5}, 1), f = RandomTensor({5, 2}, 2);
  OpHarness h2("MatMul", 13, 2);
  EXPECT_EQ(h2.InitAndRun({&e, &f}, pool).shape(), (Shape{0, 2}));
}

TEST(OpsHeavyMatMulTest, OtherTypes) {
  ThreadPool pool(2);
  {
    const Tensor a = TypedTensor<double>(DType::kFloat64, {2, 3}, {1, 2, 3, 4, 5, 6});
    const Tensor b = TypedTensor<double>(DType::kFloat64, {3, 2}, {1e-12, 1, 2, 3, 4, 5});
    OpHarness h("MatMul", 13, 2);
    const Tensor y = h.InitAndRun({&a, &b}, pool);
    ASSERT_EQ(y.dtype(), DType::kFloat64);
    EXPECT_EQ(y.data<double>()[0], 1e-12 + 4 + 12);
    EXPECT_EQ(y.data<double>()[3], 4 + 15 + 30);
  }
  {
    const Tensor a = TypedTensor<int64_t>(DType::kInt64, {2, 2}, {INT64_MAX, 2, -3, 4});
    const Tensor b = TypedTensor<int64_t>(DType::kInt64, {2, 1}, {2, 5});
    OpHarness h("MatMul", 13, 2);
    const Tensor y = h.InitAndRun({&a, &b}, pool);
    ASSERT_EQ(y.dtype(), DType::kInt64);
    EXPECT_EQ(y.data<int64_t>()[0], static_cast<int64_t>(static_cast<uint64_t>(INT64_MAX) * 2u + 10u));  // wraps
    EXPECT_EQ(y.data<int64_t>()[1], 14);
  }
  {
    const Tensor a = TypedTensor<uint32_t>(DType::kUint32, {1, 3}, {1, 2, 3});
    const Tensor b = TypedTensor<uint32_t>(DType::kUint32, {3}, {4, 5, 6});
    OpHarness h("MatMul", 13, 2);
    const Tensor y = h.InitAndRun({&a, &b}, pool);
    ASSERT_EQ(y.shape(), (Shape{1}));
    EXPECT_EQ(y.data<uint32_t>()[0], 32u);
  }
  {
    const Tensor a = RandomTensor({4, 6}, 3), b = RandomTensor({6, 5}, 4);
    const Tensor ah = ToHalf(a), bh = ToHalf(b);
    OpHarness h("MatMul", 13, 2);
    const Tensor y = h.InitAndRun({&ah, &bh}, pool);
    ASSERT_EQ(y.dtype(), DType::kFloat16);
    ExpectClose(Values(y), BatchedReference(Values(ah), {4, 6}, Values(bh), {6, 5}, {}, 4, 6, 5), 2e-3, 2e-3);
  }
}

TEST(OpsHeavyMatMulTest, Errors) {
  ThreadPool pool(1);
  OpHarness h("MatMul", 13, 2);
  ASSERT_TRUE(h.Init().ok());
  std::vector<Tensor> out;
  const Tensor a = RandomTensor({2, 3}, 1), b = RandomTensor({4, 2}, 2);
  EXPECT_EQ(h.Run({&a, &b}, &out, pool).code(), aclsim::exec::kShapeInvalid);
  const Tensor c = RandomTensor({2, 2, 3}, 1), d = RandomTensor({3, 3, 2}, 2);
  EXPECT_EQ(h.Run({&c, &d}, &out, pool).code(), aclsim::exec::kShapeInvalid);
  const Tensor e = Int64Tensor({1, 1}, {1});
  EXPECT_EQ(h.Run({&a, &e}, &out, pool).code(), aclsim::exec::kDataTypeInvalid);
  const Tensor i8 = TypedTensor<int8_t>(DType::kInt8, {1, 1}, {1});
  EXPECT_EQ(h.Run({&i8, &i8}, &out, pool).code(), aclsim::exec::kDataTypeInvalid);
}

// ---- Gemm ----

struct GemmCase {
  GemmCase(int64_t m_, int64_t n_, int64_t k_, bool ta_, bool tb_, float alpha_, float beta_, Shape c_,
           bool no_c_ = false)
      : m(m_), n(n_), k(k_), ta(ta_), tb(tb_), alpha(alpha_), beta(beta_), c(std::move(c_)), no_c(no_c_) {}
  int64_t m, n, k;
  bool ta, tb;
  float alpha, beta;
  Shape c;  // empty with `no_c` = no C input
  bool no_c;
};

void CheckGemm(const GemmCase &g, bool constant_b, int opset = 13) {
  SCOPED_TRACE(testing::Message() << "m=" << g.m << " n=" << g.n << " k=" << g.k << " ta=" << g.ta << " tb=" << g.tb
                                  << " alpha=" << g.alpha << " beta=" << g.beta
                                  << " C=" << aclsim::exec::ShapeToString(g.c));
  const Tensor a = RandomTensor(g.ta ? Shape{g.k, g.m} : Shape{g.m, g.k}, 1);
  const Tensor b = RandomTensor(g.tb ? Shape{g.n, g.k} : Shape{g.k, g.n}, 2);
  const Tensor c = RandomTensor(g.c, 3);
  const std::vector<float> av = Values(a), bv = Values(b), cv = Values(c);
  std::vector<double> want(static_cast<size_t>(g.m * g.n));
  for (int64_t i = 0; i < g.m; ++i) {
    for (int64_t j = 0; j < g.n; ++j) {
      double sum = 0;
      for (int64_t p = 0; p < g.k; ++p) {
        sum +=
            static_cast<double>(g.ta ? av[p * g.m + i] : av[i * g.k + p]) * (g.tb ? bv[j * g.k + p] : bv[p * g.n + j]);
      }
      double bias = 0;
      if (!g.no_c) {
        const int64_t rows = g.c.size() == 2 ? g.c[0] : 1, cols = g.c.empty() ? 1 : g.c.back();
        bias = cv[(rows == 1 ? 0 : i) * cols + (cols == 1 ? 0 : j)];
      }
      want[i * g.n + j] = g.alpha * sum + g.beta * bias;
    }
  }
  ThreadPool pool(2);
  ForEachIsa([&](Isa) {
    OpHarness h("Gemm", opset, g.no_c ? 2 : 3);
    h.Int("transA", g.ta).Int("transB", g.tb).Float("alpha", g.alpha).Float("beta", g.beta);
    const Status init = constant_b ? h.Init({nullptr, &b}) : h.Init();
    ASSERT_TRUE(init.ok()) << init.message();
    std::vector<Tensor> out;
    const Status run = h.Run({&a, &b, g.no_c ? nullptr : &c}, &out, pool);
    ASSERT_TRUE(run.ok()) << run.message();
    ASSERT_EQ(out[0].shape(), (Shape{g.m, g.n}));
    ExpectClose(Values(out[0]), want);
  });
}

TEST(OpsHeavyGemmTest, AttributesAndBiasShapes) {
  for (bool constant : {false, true}) {
    SCOPED_TRACE(constant ? "constant B" : "run-time B");
    CheckGemm(GemmCase(3, 5, 4, false, false, 1.0f, 1.0f, {}, true), constant);
    CheckGemm(GemmCase(3, 5, 4, true, false, 0.25f, 0.35f, {3, 5}), constant);
    CheckGemm(GemmCase(3, 5, 4, false, true, 1.0f, 1.0f, {5}), constant);          // row vector: epilogue
    CheckGemm(GemmCase(3, 5, 4, true, true, 1.0f, 1.0f, {3, 1}), constant);        // column vector: epilogue
    CheckGemm(GemmCase(3, 5, 4, false, false, 2.0f, 0.5f, {1, 5}), constant);      // row vector, beta != 1
    CheckGemm(GemmCase(3, 5, 4, false, false, 1.0f, 2.0f, {}), constant);          // scalar
    CheckGemm(GemmCase(3, 5, 4, false, false, 1.0f, 1.0f, {1}), constant);         // one element
    CheckGemm(GemmCase(1, 1000, 512, false, true, 1.0f, 1.0f, {1000}), constant);  // a classifier head
    CheckGemm(GemmCase(70, 130, 257, true, true, -1.5f, 0.0f, {70, 130}), constant);
  }
}

TEST(OpsHeavyGemmTest, CIsRequiredBeforeOpset11) {
  OpHarness h("Gemm", 9, 2);
  EXPECT_EQ(h.Init().code(), aclsim::exec::kInvalidModel);
  CheckGemm(GemmCase(4, 3, 2, false, false, 1.0f, 1.0f, {4, 3}), false, 7);
}

TEST(OpsHeavyGemmTest, OtherTypesAndErrors) {
  ThreadPool pool(1);
  {
    const Tensor a = TypedTensor<int32_t>(DType::kInt32, {2, 2}, {1, 2, 3, 4});
    const Tensor b = TypedTensor<int32_t>(DType::kInt32, {2, 2}, {5, 6, 7, 8});
    const Tensor c = TypedTensor<int32_t>(DType::kInt32, {2}, {100, 200});
    OpHarness h("Gemm", 13, 3);
    const Tensor y = h.InitAndRun({&a, &b, &c}, pool);
    ASSERT_EQ(y.dtype(), DType::kInt32);
    EXPECT_EQ(std::vector<int32_t>(y.data<int32_t>(), y.data<int32_t>() + 4),
              (std::vector<int32_t>{119, 222, 143, 250}));
  }
  {
    const Tensor a = TypedTensor<double>(DType::kFloat64, {1, 2}, {1, 2});
    const Tensor b = TypedTensor<double>(DType::kFloat64, {2, 1}, {3, 4});
    OpHarness h("Gemm", 13, 2);
    h.Float("alpha", 0.5f);
    const Tensor y = h.InitAndRun({&a, &b}, pool);
    EXPECT_EQ(y.data<double>()[0], 5.5);
  }
  {
    OpHarness h("Gemm", 13, 3);
    ASSERT_TRUE(h.Init().ok());
    const Tensor a = RandomTensor({2, 3}, 1), b = RandomTensor({3, 4}, 2), c = RandomTensor({3, 4}, 3);
    std::vector<Tensor> out;
    EXPECT_EQ(h.Run({&a, &b, &c}, &out, pool).code(), aclsim::exec::kShapeInvalid);  // C does not broadcast
    const Tensor bad = RandomTensor({4, 4}, 2);
    EXPECT_EQ(h.Run({&a, &bad, nullptr}, &out, pool).code(), aclsim::exec::kShapeInvalid);  // K mismatch
  }
}

}  // namespace
