// Conv and ConvTranspose through their registered kernels, on every instruction set, against
// direct float64 loops: 1-D/2-D/3-D, groups and depthwise, pads and auto_pad, strides,
// dilations, bias, constant (prepacked) and run-time weights, float16, and the errors.
#include <gtest/gtest.h>

#include <vector>

#include "ops_heavy_test_util.h"

namespace {

using namespace heavytest;
using aclsim::exec::ElementCount;

struct ConvCase {
  ConvCase(Shape x_shape, Shape w_shape) : x(std::move(x_shape)), w(std::move(w_shape)) {}
  ConvCase &Group(int64_t v) {
    group = v;
    return *this;
  }
  ConvCase &Strides(std::vector<int64_t> v) {
    strides = std::move(v);
    return *this;
  }
  ConvCase &Dilations(std::vector<int64_t> v) {
    dilations = std::move(v);
    return *this;
  }
  ConvCase &Pads(std::vector<int64_t> v) {
    pads = std::move(v);
    return *this;
  }
  ConvCase &AutoPad(std::string v) {
    auto_pad = std::move(v);
    return *this;
  }
  ConvCase &NoBias() {
    bias = false;
    return *this;
  }

  Shape x;  // [N, C, spatial...]
  Shape w;  // [M, C/group, kernel...]
  int64_t group = 1;
  std::vector<int64_t> strides;    // empty = 1s
  std::vector<int64_t> dilations;  // empty = 1s
  std::vector<int64_t> pads;       // empty = 0s
  std::string auto_pad;            // empty = NOTSET
  bool bias = true;
};

int64_t At(const std::vector<int64_t> &v, size_t i, int64_t fallback) { return v.empty() ? fallback : v[i]; }

// Leading pads and output sizes as ONNX defines them (the reference's own arithmetic).
void Geometry(const ConvCase &c, std::vector<int64_t> *pad_begin, std::vector<int64_t> *out) {
  const size_t r = c.x.size() - 2;
  pad_begin->assign(r, 0);
  out->assign(r, 0);
  for (size_t i = 0; i < r; ++i) {
    const int64_t in = c.x[i + 2], k = c.w[i + 2], s = At(c.strides, i, 1), d = At(c.dilations, i, 1);
    const int64_t span = (k - 1) * d + 1;
    if (c.auto_pad == "SAME_UPPER" || c.auto_pad == "SAME_LOWER") {
      (*out)[i] = (in + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, ((*out)[i] - 1) * s + span - in);
      (*pad_begin)[i] = c.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    } else if (c.auto_pad == "VALID") {
      (*out)[i] = (in - span) / s + 1;
    } else {
      const int64_t pb = At(c.pads, i, 0), pe = At(c.pads, i + r, 0);
      (*pad_begin)[i] = pb;
      (*out)[i] = (in + pb + pe - span) / s + 1;
    }
  }
}

// Direct convolution in double over up to 3 spatial dims.
std::vector<double> ReferenceConv(const ConvCase &c, const std::vector<float> &x, const std::vector<float> &w,
                                  const std::vector<float> &b, Shape *y_shape) {
  const size_t r = c.x.size() - 2;
  std::vector<int64_t> pb, out;
  Geometry(c, &pb, &out);
  int64_t in[3] = {1, 1, 1}, o[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, d[3] = {1, 1, 1}, p[3] = {0, 0, 0};
  for (size_t i = 0; i < r; ++i) {
    const size_t j = 3 - r + i;
    in[j] = c.x[i + 2];
    o[j] = out[i];
    k[j] = c.w[i + 2];
    s[j] = At(c.strides, i, 1);
    d[j] = At(c.dilations, i, 1);
    p[j] = pb[i];
  }
  const int64_t n = c.x[0], ch = c.x[1], maps = c.w[0], cg = c.w[1], mg = maps / c.group;
  *y_shape = {n, maps};
  for (int64_t v : out) y_shape->push_back(v);
  std::vector<double> y(static_cast<size_t>(ElementCount(*y_shape)));
  size_t at = 0;
  for (int64_t img = 0; img < n; ++img) {
    for (int64_t m = 0; m < maps; ++m) {
      const int64_t g = m / mg;
      for (int64_t z = 0; z < o[0]; ++z) {
        for (int64_t yy = 0; yy < o[1]; ++yy) {
          for (int64_t xx = 0; xx < o[2]; ++xx) {
            double sum = c.bias ? b[m] : 0.0;
            for (int64_t ci = 0; ci < cg; ++ci) {
              for (int64_t kz = 0; kz < k[0]; ++kz) {
                for (int64_t ky = 0; ky < k[1]; ++ky) {
                  for (int64_t kx = 0; kx < k[2]; ++kx) {
                    const int64_t iz = z * s[0] - p[0] + kz * d[0], iy = yy * s[1] - p[1] + ky * d[1],
                                  ix = xx * s[2] - p[2] + kx * d[2];
                    if (iz < 0 || iz >= in[0] || iy < 0 || iy >= in[1] || ix < 0 || ix >= in[2]) continue;
                    const int64_t xi = (((img * ch + g * cg + ci) * in[0] + iz) * in[1] + iy) * in[2] + ix;
                    const int64_t wi = (((m * cg + ci) * k[0] + kz) * k[1] + ky) * k[2] + kx;
                    sum += static_cast<double>(x[xi]) * w[wi];
                  }
                }
              }
            }
            y[at++] = sum;
          }
        }
      }
    }
  }
  (void)ch;
  return y;
}

OpHarness ConvNode(const ConvCase &c) {
  OpHarness h("Conv", 11, c.bias ? 3 : 2);
  if (c.group != 1) h.Int("group", c.group);
  if (!c.strides.empty()) h.Ints("strides", c.strides);
  if (!c.dilations.empty()) h.Ints("dilations", c.dilations);
  if (!c.pads.empty()) h.Ints("pads", c.pads);
  if (!c.auto_pad.empty()) h.String("auto_pad", c.auto_pad);
  return h;
}

void CheckConv(const ConvCase &c, ThreadPool &pool, bool constant_weights) {
  const Tensor x = RandomTensor(c.x, 1), w = RandomTensor(c.w, 2), b = RandomTensor({c.w[0]}, 3);
  Shape y_shape;
  const std::vector<double> want = ReferenceConv(c, Values(x), Values(w), Values(b), &y_shape);
  ForEachIsa([&](Isa) {
    OpHarness h = ConvNode(c);
    const Status init = constant_weights ? h.Init({nullptr, &w, &b}) : h.Init();
    ASSERT_TRUE(init.ok()) << init.message();
    std::vector<ValueInfo> inferred;
    std::vector<ValueInfo> in = {Known(DType::kFloat32, c.x), Known(DType::kFloat32, c.w),
                                 Known(DType::kFloat32, {c.w[0]})};
    ASSERT_TRUE(h.Infer(in, &inferred).ok());
    EXPECT_EQ(inferred[0].shape, y_shape);
    std::vector<Tensor> outputs;
    const Status run = h.Run({&x, &w, c.bias ? &b : nullptr}, &outputs, pool);
    ASSERT_TRUE(run.ok()) << run.message();
    ASSERT_EQ(outputs[0].shape(), y_shape);
    ExpectClose(Values(outputs[0]), want);
  });
}

TEST(OpsHeavyConvTest, TwoDimensionalShapes) {
  ThreadPool pool(3);
  for (bool constant : {false, true}) {
    SCOPED_TRACE(constant ? "constant weights" : "run-time weights");
    CheckConv(ConvCase({1, 3, 9, 11}, {5, 3, 3, 3}), pool, constant);
    CheckConv(ConvCase({2, 4, 8, 8}, {6, 4, 3, 3}).Strides({2, 2}).Pads({1, 1, 1, 1}), pool, constant);
    CheckConv(ConvCase({1, 3, 15, 13}, {8, 3, 7, 7}).Strides({2, 2}).Pads({3, 3, 3, 3}), pool, constant);  // a stem
    CheckConv(ConvCase({1, 2, 10, 9}, {3, 2, 3, 2}).Strides({1, 2}).Dilations({2, 1}).Pads({2, 0, 1, 3}), pool,
              constant);                                                                         // asymmetric
    CheckConv(ConvCase({1, 16, 6, 7}, {33, 16, 1, 1}), pool, constant);                          // pointwise
    CheckConv(ConvCase({2, 16, 6, 7}, {9, 16, 1, 1}).Strides({2, 2}).NoBias(), pool, constant);  // strided 1×1
    CheckConv(ConvCase({1, 1, 12, 12}, {7, 1, 5, 5}).Pads({2, 2, 2, 2}), pool, constant);        // one channel
    // A kernel spanning 100,001 rows (dilation, padded to match) over a 4×4 output: too long a
    // span for bands, computed by the im2col GEMM (the model-loader fuzzer's band of 755 MB).
    CheckConv(ConvCase({1, 8, 4, 4}, {3, 8, 2, 1}).Dilations({100000, 1}).Pads({50000, 0, 50000, 0}), pool, constant);
  }
}

TEST(OpsHeavyConvTest, AutoPadModes) {
  ThreadPool pool(2);
  for (const char *mode : {"SAME_UPPER", "SAME_LOWER", "VALID"}) {
    SCOPED_TRACE(mode);
    CheckConv(ConvCase({1, 2, 7, 8}, {3, 2, 4, 3}).Strides({2, 3}).AutoPad(mode), pool, true);
    CheckConv(ConvCase({1, 2, 5, 5}, {2, 2, 3, 3}).Strides({1, 1}).Dilations({2, 1}).AutoPad(mode), pool, false);
  }
}

TEST(OpsHeavyConvTest, GroupsAndDepthwise) {
  ThreadPool pool(3);
  CheckConv(ConvCase({2, 6, 9, 8}, {4, 3, 3, 3}).Group(2).Strides({1, 1}).Pads({1, 1, 1, 1}), pool, true);
  CheckConv(ConvCase({1, 8, 11, 10}, {8, 1, 3, 3}).Group(8).Strides({1, 1}).Pads({1, 1, 1, 1}), pool,
            true);  // depthwise
  CheckConv(ConvCase({2, 4, 12, 9}, {8, 1, 3, 3}).Group(4).Strides({2, 2}).Dilations({2, 2}).Pads({2, 1, 0, 2}), pool,
            false);                                                                           // multiplier 2
  CheckConv(ConvCase({1, 5, 30}, {5, 1, 5}).Group(5).Strides({3}).Pads({2, 2}), pool, true);  // 1-D depthwise
}

TEST(OpsHeavyConvTest, OneAndThreeDimensions) {
  ThreadPool pool(2);
  CheckConv(ConvCase({2, 3, 40}, {4, 3, 5}).Strides({2}).Dilations({2}).Pads({1, 3}), pool, true);
  CheckConv(ConvCase({1, 2, 5, 6, 7}, {3, 2, 3, 2, 3}).Strides({1, 2, 1}).Pads({1, 0, 1, 1, 1, 0}), pool, false);
  CheckConv(ConvCase({1, 4, 4, 5, 6}, {4, 2, 2, 2, 2}).Group(2).AutoPad("SAME_UPPER"), pool, true);
}

TEST(OpsHeavyConvTest, LargeEnoughToTileOverThreads) {
  ThreadPool pool(4);
  CheckConv(ConvCase({1, 16, 30, 30}, {24, 16, 3, 3}).Strides({1, 1}).Pads({1, 1, 1, 1}), pool, true);
}

TEST(OpsHeavyConvTest, Float16ThroughFloat32) {
  ThreadPool pool(2);
  const ConvCase c = ConvCase({1, 3, 6, 6}, {4, 3, 3, 3}).Pads({1, 1, 1, 1});
  const Tensor x = ToHalf(RandomTensor(c.x, 5)), w = ToHalf(RandomTensor(c.w, 6)), b = ToHalf(RandomTensor({4}, 7));
  Shape y_shape;
  const std::vector<double> want = ReferenceConv(c, Values(x), Values(w), Values(b), &y_shape);
  OpHarness h = ConvNode(c);
  const Tensor y = h.InitAndRun({&x, &w, &b}, pool);
  ASSERT_EQ(y.dtype(), DType::kFloat16);
  ExpectClose(Values(y), want, 2e-3, 2e-3);
}

TEST(OpsHeavyConvTest, RejectsBadModelsAndShapes) {
  ThreadPool pool(1);
  {
    OpHarness h("Conv", 11, 2);
    h.String("auto_pad", "SAME_MIDDLE");
    EXPECT_EQ(h.Init().code(), aclsim::exec::kInvalidModel);
  }
  {
    OpHarness h("Conv", 11, 2);
    h.Int("group", 0);
    EXPECT_EQ(h.Init().code(), aclsim::exec::kInvalidModel);
  }
  {
    OpHarness h("Conv", 11, 2);
    h.Ints("strides", {0, 1});
    EXPECT_EQ(h.Init().code(), aclsim::exec::kInvalidModel);
  }
  {
    OpHarness h("Conv", 11, 2);
    ASSERT_TRUE(h.Init().ok());
    const Tensor x = RandomTensor({1, 3, 5, 5}, 1), w = RandomTensor({2, 4, 3, 3}, 2);  // channel mismatch
    std::vector<Tensor> out;
    const Status s = h.Run({&x, &w}, &out, pool);
    EXPECT_EQ(s.code(), aclsim::exec::kShapeInvalid);
    EXPECT_NE(s.message().find("test_Conv"), std::string::npos) << s.message();
  }
  {
    OpHarness h("Conv", 11, 2);
    ASSERT_TRUE(h.Init().ok());
    const Tensor x = RandomTensor({1, 1, 2, 2}, 1), w = RandomTensor({1, 1, 3, 3}, 2);  // kernel larger than input
    std::vector<Tensor> out;
    EXPECT_EQ(h.Run({&x, &w}, &out, pool).code(), aclsim::exec::kShapeInvalid);
  }
  {
    OpHarness h("Conv", 11, 2);
    ASSERT_TRUE(h.Init().ok());
    const Tensor x = Int64Tensor({1, 1, 1, 1}, {1}), w = Int64Tensor({1, 1, 1, 1}, {1});
    std::vector<Tensor> out;
    EXPECT_EQ(h.Run({&x, &w}, &out, pool).code(), aclsim::exec::kDataTypeInvalid);
  }
}

TEST(OpsHeavyConvTest, InferWithUnknownDims) {
  OpHarness h("Conv", 11, 2);
  h.Ints("strides", {2, 2}).Ints("pads", {1, 1, 1, 1});
  ASSERT_TRUE(h.Init().ok());
  std::vector<ValueInfo> out;
  ASSERT_TRUE(h.Infer({Known(DType::kFloat32, {-1, 3, 224, -1}), Known(DType::kFloat32, {64, 3, 7, 7})}, &out).ok());
  EXPECT_EQ(out[0].shape, (Shape{-1, 64, 110, -1}));
}

// ---- ConvTranspose ----

struct TransposeCase {
  TransposeCase(Shape x_shape, Shape w_shape) : x(std::move(x_shape)), w(std::move(w_shape)) {}
  TransposeCase &Group(int64_t v) {
    group = v;
    return *this;
  }
  TransposeCase &Strides(std::vector<int64_t> v) {
    strides = std::move(v);
    return *this;
  }
  TransposeCase &Dilations(std::vector<int64_t> v) {
    dilations = std::move(v);
    return *this;
  }
  TransposeCase &Pads(std::vector<int64_t> v) {
    pads = std::move(v);
    return *this;
  }
  TransposeCase &OutputPadding(std::vector<int64_t> v) {
    output_padding = std::move(v);
    return *this;
  }
  TransposeCase &NoBias() {
    bias = false;
    return *this;
  }

  Shape x;  // [N, C, spatial...]
  Shape w;  // [C, M/group, kernel...]
  int64_t group = 1;
  std::vector<int64_t> strides, dilations, pads, output_padding;
  bool bias = true;
};

std::vector<double> ReferenceTranspose(const TransposeCase &c, const std::vector<float> &x, const std::vector<float> &w,
                                       const std::vector<float> &b, Shape *y_shape) {
  const size_t r = c.x.size() - 2;
  int64_t in[3] = {1, 1, 1}, o[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, d[3] = {1, 1, 1}, p[3] = {0, 0, 0};
  const int64_t n = c.x[0], ch = c.x[1], mg = c.w[1], maps = mg * c.group, cg = ch / c.group;
  *y_shape = {n, maps};
  for (size_t i = 0; i < r; ++i) {
    const size_t j = 3 - r + i;
    in[j] = c.x[i + 2];
    k[j] = c.w[i + 2];
    s[j] = At(c.strides, i, 1);
    d[j] = At(c.dilations, i, 1);
    p[j] = At(c.pads, i, 0);
    o[j] = s[j] * (in[j] - 1) + At(c.output_padding, i, 0) + (k[j] - 1) * d[j] + 1 - p[j] - At(c.pads, i + r, 0);
    y_shape->push_back(o[j]);
  }
  std::vector<double> y(static_cast<size_t>(ElementCount(*y_shape)), 0.0);
  for (int64_t img = 0; img < n; ++img) {
    for (int64_t m = 0; m < maps; ++m) {
      for (int64_t i = 0; i < o[0] * o[1] * o[2]; ++i) y[(img * maps + m) * o[0] * o[1] * o[2] + i] = c.bias ? b[m] : 0;
    }
    for (int64_t ci = 0; ci < ch; ++ci) {
      const int64_t g = ci / cg;
      for (int64_t z = 0; z < in[0]; ++z) {
        for (int64_t yy = 0; yy < in[1]; ++yy) {
          for (int64_t xx = 0; xx < in[2]; ++xx) {
            const double v = x[(((img * ch + ci) * in[0] + z) * in[1] + yy) * in[2] + xx];
            for (int64_t mm = 0; mm < mg; ++mm) {
              for (int64_t kz = 0; kz < k[0]; ++kz) {
                for (int64_t ky = 0; ky < k[1]; ++ky) {
                  for (int64_t kx = 0; kx < k[2]; ++kx) {
                    const int64_t oz = z * s[0] - p[0] + kz * d[0], oy = yy * s[1] - p[1] + ky * d[1],
                                  ox = xx * s[2] - p[2] + kx * d[2];
                    if (oz < 0 || oz >= o[0] || oy < 0 || oy >= o[1] || ox < 0 || ox >= o[2]) continue;
                    const int64_t m = g * mg + mm;
                    y[(((img * maps + m) * o[0] + oz) * o[1] + oy) * o[2] + ox] +=
                        v * w[(((ci * mg + mm) * k[0] + kz) * k[1] + ky) * k[2] + kx];
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return y;
}

void CheckTranspose(const TransposeCase &c, ThreadPool &pool) {
  const Tensor x = RandomTensor(c.x, 11), w = RandomTensor(c.w, 12), b = RandomTensor({c.w[1] * c.group}, 13);
  Shape y_shape;
  const std::vector<double> want = ReferenceTranspose(c, Values(x), Values(w), Values(b), &y_shape);
  ForEachIsa([&](Isa) {
    OpHarness h("ConvTranspose", 11, c.bias ? 3 : 2);
    if (c.group != 1) h.Int("group", c.group);
    if (!c.strides.empty()) h.Ints("strides", c.strides);
    if (!c.dilations.empty()) h.Ints("dilations", c.dilations);
    if (!c.pads.empty()) h.Ints("pads", c.pads);
    if (!c.output_padding.empty()) h.Ints("output_padding", c.output_padding);
    const Tensor y = h.InitAndRun({&x, &w, c.bias ? &b : nullptr}, pool);
    ASSERT_EQ(y.shape(), y_shape);
    ExpectClose(Values(y), want);
  });
}

TEST(OpsHeavyConvTransposeTest, MatchesDirectScatter) {
  ThreadPool pool(3);
  CheckTranspose(TransposeCase({1, 3, 4, 5}, {3, 2, 3, 3}), pool);
  CheckTranspose(TransposeCase({2, 4, 5, 4}, {4, 3, 3, 2}).Strides({2, 3}).Pads({1, 0, 1, 2}).OutputPadding({1, 1}),
                 pool);
  CheckTranspose(
      TransposeCase({1, 4, 6, 6}, {4, 2, 3, 3}).Group(2).Strides({2, 2}).Dilations({2, 1}).Pads({1, 1, 1, 1}), pool);
  CheckTranspose(TransposeCase({1, 2, 9}, {2, 3, 4}).Strides({3}).Pads({1, 2}).NoBias(), pool);
  CheckTranspose(TransposeCase({1, 2, 3, 4, 3}, {2, 2, 2, 3, 2}).Strides({2, 1, 2}), pool);
  CheckTranspose(TransposeCase({1, 32, 9, 9}, {32, 24, 4, 4}).Strides({2, 2}).Pads({1, 1, 1, 1}),
                 pool);  // several channel blocks
}

TEST(OpsHeavyConvTransposeTest, OutputShapeAndSameUpperFollowOnnx) {
  // ONNX's own examples (test_convtranspose_output_shape, _autopad_same): all-ones weights.
  ThreadPool pool(1);
  const Tensor x = FloatTensor({1, 1, 3, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8});
  const Tensor w = FloatTensor({1, 2, 3, 3}, std::vector<float>(18, 1.0f));
  {
    OpHarness h("ConvTranspose", 11, 2);
    h.Ints("strides", {3, 2}).Ints("output_shape", {10, 8});
    const Tensor y = h.InitAndRun({&x, &w}, pool);
    ASSERT_EQ(y.shape(), (Shape{1, 2, 10, 8}));
    const std::vector<float> row3 = {3, 3, 7, 4, 9, 5, 5, 0};
    const std::vector<float> got = Values(y);
    EXPECT_EQ(std::vector<float>(got.begin() + 3 * 8, got.begin() + 4 * 8), row3);
    EXPECT_EQ(got[9 * 8], 0.0f);
  }
  {
    OpHarness h("ConvTranspose", 11, 2);
    h.String("auto_pad", "SAME_UPPER").Ints("strides", {2, 2});
    const Tensor y = h.InitAndRun({&x, &w}, pool);
    ASSERT_EQ(y.shape(), (Shape{1, 2, 6, 6}));
    const std::vector<float> row2 = {3, 3, 8, 5, 12, 7};
    const std::vector<float> got = Values(y);
    EXPECT_EQ(std::vector<float>(got.begin() + 12, got.begin() + 18), row2);
  }
}

}  // namespace
