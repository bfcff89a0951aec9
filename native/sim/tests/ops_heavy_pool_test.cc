// MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool through their registered kernels
// against direct loops: 1-D/2-D/3-D windows, pads, auto_pad, strides, dilations, ceil_mode,
// count_include_pad, the Indices output in both storage orders, and the element types.
#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "ops_heavy_test_util.h"

namespace {

using namespace heavytest;
using aclsim::exec::ElementCount;

struct PoolCase {
  PoolCase(Shape x_shape, std::vector<int64_t> k) : x(std::move(x_shape)), kernel(std::move(k)) {}
  PoolCase &Strides(std::vector<int64_t> v) {
    strides = std::move(v);
    return *this;
  }
  PoolCase &Dilations(std::vector<int64_t> v) {
    dilations = std::move(v);
    return *this;
  }
  PoolCase &Pads(std::vector<int64_t> v) {
    pads = std::move(v);
    return *this;
  }
  PoolCase &Ceil() {
    ceil_mode = true;
    return *this;
  }
  PoolCase &IncludePad() {
    include_pad = true;
    return *this;
  }
  PoolCase &AutoPad(std::string v) {
    auto_pad = std::move(v);
    return *this;
  }

  Shape x;
  std::vector<int64_t> kernel, strides, dilations, pads;
  bool ceil_mode = false, include_pad = false;
  std::string auto_pad;
};

int64_t At(const std::vector<int64_t> &v, size_t i, int64_t fallback) { return v.empty() ? fallback : v[i]; }

// Max (with first-index argmax) or average pooling in double, windows as ONNX defines them.
void ReferencePool(const PoolCase &c, const std::vector<float> &x, bool max, Shape *y_shape, std::vector<double> *y,
                   std::vector<int64_t> *indices) {
  const size_t r = c.x.size() - 2;
  int64_t in[3] = {1, 1, 1}, o[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, d[3] = {1, 1, 1}, pb[3] = {0, 0, 0},
          pe[3] = {0, 0, 0};
  *y_shape = {c.x[0], c.x[1]};
  for (size_t i = 0; i < r; ++i) {
    const size_t j = 3 - r + i;
    in[j] = c.x[i + 2];
    k[j] = c.kernel[i];
    s[j] = At(c.strides, i, 1);
    d[j] = At(c.dilations, i, 1);
    const int64_t span = (k[j] - 1) * d[j] + 1;
    if (c.auto_pad == "SAME_UPPER" || c.auto_pad == "SAME_LOWER") {
      o[j] = (in[j] + s[j] - 1) / s[j];
      const int64_t total = std::max<int64_t>(0, (o[j] - 1) * s[j] + span - in[j]);
      pb[j] = c.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pe[j] = total - pb[j];
    } else {
      pb[j] = At(c.pads, i, 0);
      pe[j] = At(c.pads, i + r, 0);
      const int64_t padded = in[j] + pb[j] + pe[j] - span;
      o[j] = (c.ceil_mode ? (padded + s[j] - 1) / s[j] : padded / s[j]) + 1;
      if (c.ceil_mode && (o[j] - 1) * s[j] >= in[j] + pb[j]) --o[j];
    }
    y_shape->push_back(o[j]);
  }
  y->clear();
  indices->clear();
  const int64_t planes = c.x[0] * c.x[1], in_size = in[0] * in[1] * in[2];
  for (int64_t p = 0; p < planes; ++p) {
    for (int64_t z = 0; z < o[0]; ++z) {
      for (int64_t yy = 0; yy < o[1]; ++yy) {
        for (int64_t xx = 0; xx < o[2]; ++xx) {
          double best = -std::numeric_limits<double>::infinity(), sum = 0;
          int64_t arg = -1, count = 0, padded_count = 0;
          for (int64_t kz = 0; kz < k[0]; ++kz) {
            for (int64_t ky = 0; ky < k[1]; ++ky) {
              for (int64_t kx = 0; kx < k[2]; ++kx) {
                const int64_t iz = z * s[0] - pb[0] + kz * d[0], iy = yy * s[1] - pb[1] + ky * d[1],
                              ix = xx * s[2] - pb[2] + kx * d[2];
                const bool in_padded = iz >= -pb[0] && iz < in[0] + pe[0] && iy >= -pb[1] && iy < in[1] + pe[1] &&
                                       ix >= -pb[2] && ix < in[2] + pe[2];
                padded_count += in_padded;
                if (iz < 0 || iz >= in[0] || iy < 0 || iy >= in[1] || ix < 0 || ix >= in[2]) continue;
                const int64_t at = (iz * in[1] + iy) * in[2] + ix;
                const double v = x[p * in_size + at];
                if (v > best) {
                  best = v;
                  arg = p * in_size + at;
                }
                sum += v;
                ++count;
              }
            }
          }
          y->push_back(max ? best : sum / static_cast<double>(c.include_pad ? padded_count : count));
          indices->push_back(arg);
        }
      }
    }
  }
}

OpHarness PoolNode(const char *op, int opset, const PoolCase &c, size_t outputs = 1) {
  OpHarness h(op, opset, 1, outputs);
  h.Ints("kernel_shape", c.kernel);
  if (!c.strides.empty()) h.Ints("strides", c.strides);
  if (!c.dilations.empty()) h.Ints("dilations", c.dilations);
  if (!c.pads.empty()) h.Ints("pads", c.pads);
  if (c.ceil_mode) h.Int("ceil_mode", 1);
  if (c.include_pad) h.Int("count_include_pad", 1);
  if (!c.auto_pad.empty()) h.String("auto_pad", c.auto_pad);
  return h;
}

void CheckPool(const PoolCase &c) {
  const Tensor x = RandomTensor(c.x, 9, -3.0f, 3.0f);
  ThreadPool pool(3);
  for (bool max : {true, false}) {
    SCOPED_TRACE(max ? "MaxPool" : "AveragePool");
    Shape y_shape;
    std::vector<double> want;
    std::vector<int64_t> want_indices;
    ReferencePool(c, Values(x), max, &y_shape, &want, &want_indices);
    ForEachIsa([&](Isa) {
      // AveragePool has dilations from opset 19.
      OpHarness h =
          PoolNode(max ? "MaxPool" : "AveragePool", max ? 12 : (c.dilations.empty() ? 11 : 19), c, max ? 2 : 1);
      ASSERT_TRUE(h.Init().ok());
      std::vector<ValueInfo> inferred;
      ASSERT_TRUE(h.Infer({Known(DType::kFloat32, c.x)}, &inferred).ok());
      EXPECT_EQ(inferred[0].shape, y_shape);
      std::vector<Tensor> out;
      const Status run = h.Run({&x}, &out, pool);
      ASSERT_TRUE(run.ok()) << run.message();
      ASSERT_EQ(out[0].shape(), y_shape);
      ExpectClose(Values(out[0]), want, 1e-5, 1e-6);
      if (max) {
        ASSERT_EQ(out[1].dtype(), DType::kInt64);
        EXPECT_EQ(std::vector<int64_t>(out[1].data<int64_t>(), out[1].data<int64_t>() + out[1].elements()),
                  want_indices);
        // Without the Indices output the fast path must agree.
        OpHarness plain = PoolNode("MaxPool", 12, c);
        EXPECT_EQ(Values(plain.InitAndRun({&x}, pool)), Values(out[0]));
      }
    });
  }
}

TEST(OpsHeavyPoolTest, WindowsMatchDirectLoops) {
  CheckPool(PoolCase({2, 3, 9, 10}, {3, 3}));
  CheckPool(PoolCase({1, 4, 112, 112}, {3, 3}).Strides({2, 2}).Pads({1, 1, 1, 1}));  // ResNet's max pool
  CheckPool(PoolCase({1, 2, 7, 8}, {2, 3}).Strides({2, 1}).Pads({1, 0, 0, 2}));
  CheckPool(PoolCase({1, 2, 8, 9}, {3, 2}).Strides({2, 2}).Dilations({2, 2}).Pads({1, 1, 2, 0}));
  CheckPool(PoolCase({1, 2, 5, 5}, {3, 3}).Strides({2, 2}).Pads({1, 1, 1, 1}).IncludePad());
  CheckPool(PoolCase({1, 1, 5, 5}, {2, 2}).Strides({2, 2}).Pads({1, 1, 1, 1}).Ceil());
  CheckPool(PoolCase({1, 1, 6, 7}, {3, 2}).Strides({2, 3}).Ceil().IncludePad());
  CheckPool(PoolCase({2, 3, 31}, {4}).Strides({3}).Pads({2, 1}));
  CheckPool(PoolCase({1, 2, 5, 6, 7}, {2, 3, 2}).Strides({1, 2, 2}).Pads({1, 0, 1, 0, 1, 1}));
  for (const char *mode : {"SAME_UPPER", "SAME_LOWER", "VALID"}) {
    SCOPED_TRACE(mode);
    CheckPool(PoolCase({1, 2, 7, 8}, {3, 2}).Strides({2, 3}).AutoPad(mode));
  }
}

TEST(OpsHeavyPoolTest, IndicesInColumnMajorOrder) {
  ThreadPool pool(1);
  const Tensor x = FloatTensor({1, 1, 2, 3}, {1, 6, 2, 4, 5, 3});
  OpHarness h("MaxPool", 12, 1, 2);
  h.Ints("kernel_shape", {2, 2}).Int("storage_order", 1);
  ASSERT_TRUE(h.Init().ok());
  std::vector<Tensor> out;
  ASSERT_TRUE(h.Run({&x}, &out, pool).ok());
  // Maxima 6 at (0, 1) and 6 at (0, 1) again: column-major offsets h + H·w = 0 + 2·1 = 2.
  EXPECT_EQ(Values(out[0]), (std::vector<float>{6, 6}));
  EXPECT_EQ(out[1].data<int64_t>()[0], 2);
  EXPECT_EQ(out[1].data<int64_t>()[1], 2);
}

TEST(OpsHeavyPoolTest, ElementTypes) {
  ThreadPool pool(2);
  {
    const Tensor x = TypedTensor<uint8_t>(DType::kUint8, {1, 1, 2, 2}, {1, 250, 3, 7});
    OpHarness h("MaxPool", 12, 1);
    h.Ints("kernel_shape", {2, 2});
    const Tensor y = h.InitAndRun({&x}, pool);
    ASSERT_EQ(y.dtype(), DType::kUint8);
    EXPECT_EQ(y.data<uint8_t>()[0], 250);
  }
  {
    const Tensor x = TypedTensor<int8_t>(DType::kInt8, {1, 1, 1, 3}, {-5, -128, -7});
    OpHarness h("MaxPool", 12, 1);
    h.Ints("kernel_shape", {1, 2}).Ints("pads", {0, 1, 0, 0});
    const Tensor y = h.InitAndRun({&x}, pool);
    EXPECT_EQ(std::vector<int8_t>(y.data<int8_t>(), y.data<int8_t>() + 3), (std::vector<int8_t>{-5, -5, -7}));
  }
  {
    const Tensor x = TypedTensor<double>(DType::kFloat64, {1, 1, 1, 4}, {1, 2, 3, 5});
    OpHarness h("AveragePool", 11, 1);
    h.Ints("kernel_shape", {1, 2}).Ints("strides", {1, 2});
    const Tensor y = h.InitAndRun({&x}, pool);
    ASSERT_EQ(y.dtype(), DType::kFloat64);
    EXPECT_EQ(y.data<double>()[1], 4.0);
  }
  {
    const Tensor x = ToHalf(RandomTensor({1, 2, 4, 4}, 3));
    OpHarness h("MaxPool", 12, 1);
    h.Ints("kernel_shape", {2, 2}).Ints("strides", {2, 2});
    const Tensor y = h.InitAndRun({&x}, pool);
    ASSERT_EQ(y.dtype(), DType::kFloat16);
    const std::vector<float> in = Values(x), got = Values(y);
    EXPECT_EQ(got[0], std::max(std::max(in[0], in[1]), std::max(in[4], in[5])));  // exact: a max
  }
  {
    const Tensor x = TypedTensor<uint8_t>(DType::kUint8, {1, 1, 2, 2}, {1, 2, 3, 4});
    OpHarness h("AveragePool", 11, 1);
    h.Ints("kernel_shape", {2, 2});
    ASSERT_TRUE(h.Init().ok());
    std::vector<Tensor> out;
    EXPECT_EQ(h.Run({&x}, &out, pool).code(), aclsim::exec::kDataTypeInvalid);
  }
}

TEST(OpsHeavyPoolTest, AttributeChecks) {
  {
    OpHarness h("MaxPool", 12, 1);
    EXPECT_EQ(h.Init().code(), aclsim::exec::kInvalidModel);  // kernel_shape is required
  }
  {
    OpHarness h("AveragePool", 11, 1);
    h.Ints("kernel_shape", {2, 2}).Ints("dilations", {2, 2});  // dilations only from opset 19
    EXPECT_EQ(h.Init().code(), aclsim::exec::kInvalidModel);
  }
  {
    OpHarness h("MaxPool", 8, 1);
    h.Ints("kernel_shape", {2, 2}).Int("ceil_mode", 1);  // ceil_mode only from opset 10
    EXPECT_EQ(h.Init().code(), aclsim::exec::kInvalidModel);
  }
  {
    OpHarness h("MaxPool", 12, 1);
    h.Ints("kernel_shape", {2, 2}).Ints("pads", {1, 1, 1});
    EXPECT_EQ(h.Init().code(), aclsim::exec::kInvalidModel);
  }
  {
    OpHarness h("MaxPool", 12, 1);
    h.Ints("kernel_shape", {2, 2, 2});
    ASSERT_TRUE(h.Init().ok());
    std::vector<ValueInfo> out;
    EXPECT_EQ(h.Infer({Known(DType::kFloat32, {1, 1, 4, 4})}, &out).code(), aclsim::exec::kShapeInvalid);
  }
}

TEST(OpsHeavyPoolTest, GlobalPools) {
  ThreadPool pool(2);
  const Tensor x = RandomTensor({2, 3, 5, 7}, 4);
  const std::vector<float> v = Values(x);
  std::vector<double> mean, max;
  for (int64_t p = 0; p < 6; ++p) {
    double sum = 0, best = -1e30;
    for (int64_t i = 0; i < 35; ++i) {
      sum += v[p * 35 + i];
      best = std::max<double>(best, v[p * 35 + i]);
    }
    mean.push_back(sum / 35);
    max.push_back(best);
  }
  OpHarness avg("GlobalAveragePool", 1, 1), mx("GlobalMaxPool", 1, 1);
  const Tensor a = avg.InitAndRun({&x}, pool), m = mx.InitAndRun({&x}, pool);
  ASSERT_EQ(a.shape(), (Shape{2, 3, 1, 1}));
  ASSERT_EQ(m.shape(), (Shape{2, 3, 1, 1}));
  ExpectClose(Values(a), mean, 1e-6, 1e-7);
  ExpectClose(Values(m), max, 0, 0);
  const Tensor d = TypedTensor<double>(DType::kFloat64, {1, 1, 3}, {1, 2, 4});
  OpHarness avg64("GlobalAveragePool", 1, 1);
  EXPECT_DOUBLE_EQ(avg64.InitAndRun({&d}, pool).data<double>()[0], 7.0 / 3.0);
}

}  // namespace
