// Resize through its registered kernel: nearest (every nearest_mode), linear (N-linear) under
// every coordinate transformation, scales and sizes, axes and keep_aspect_ratio_policy, element
// types, the opset-10 rules, and the modes rejected at load.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ops_heavy_test_util.h"

namespace {

using namespace heavytest;
using aclsim::exec::ElementCount;

Tensor Scales(const std::vector<float> &v) { return FloatTensor({static_cast<int64_t>(v.size())}, v); }
Tensor Sizes(const std::vector<int64_t> &v) { return Int64Tensor({static_cast<int64_t>(v.size())}, v); }

// Runs Resize-13 with `attrs` applied, scales or sizes (the other null).
Tensor RunResize(const Tensor &x, const Tensor *scales, const Tensor *sizes,
                 const std::function<void(OpHarness &)> &attrs, int opset = 13) {
  ThreadPool pool(2);
  OpHarness h("Resize", opset, 4);
  h.Absent(1);
  if (scales == nullptr) h.Absent(2);
  if (sizes == nullptr) h.Absent(3);
  attrs(h);
  EXPECT_TRUE(h.Init().ok());
  std::vector<Tensor> out;
  const Status status = h.Run({&x, nullptr, scales, sizes}, &out, pool);
  EXPECT_TRUE(status.ok()) << status.message();
  return out.empty() ? Tensor() : out[0];
}

TEST(OpsHeavyResizeTest, OnnxNearestExamples) {
  const Tensor x = FloatTensor({1, 1, 2, 2}, {1, 2, 3, 4});
  const Tensor scales = Scales({1, 1, 2, 3});
  const Tensor y = RunResize(x, &scales, nullptr, [](OpHarness &h) { h.String("mode", "nearest"); });
  ASSERT_EQ(y.shape(), (Shape{1, 1, 4, 6}));
  EXPECT_EQ(Values(y), (std::vector<float>{1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}));

  // test_resize_downsample_sizes_nearest_tf_half_pixel_for_nn.
  std::vector<float> v(16);
  for (int i = 0; i < 16; ++i) v[i] = static_cast<float>(i + 1);
  const Tensor big = FloatTensor({1, 1, 4, 4}, v);
  const Tensor sizes = Sizes({1, 1, 3, 2});
  const Tensor z = RunResize(big, nullptr, &sizes, [](OpHarness &h) {
    h.String("mode", "nearest").String("coordinate_transformation_mode", "tf_half_pixel_for_nn");
  });
  EXPECT_EQ(Values(z), (std::vector<float>{6, 8, 10, 12, 14, 16}));
}

// Nearest index along one axis as ONNX defines the modes, in float arithmetic as onnxruntime
// computes them (which decides the ties: 8 / (16/7) is 3.4999998 in float).
int64_t NearestIndex(const std::string &transform, const std::string &mode, int64_t o, int64_t in, int64_t out) {
  const float scale = static_cast<float>(out) / static_cast<float>(in), f = static_cast<float>(o);
  float x = 0;
  if (transform == "half_pixel") x = (f + 0.5f) / scale - 0.5f;
  if (transform == "asymmetric") x = f / scale;
  if (transform == "align_corners") x = out == 1 ? 0 : f * static_cast<float>(in - 1) / static_cast<float>(out - 1);
  if (transform == "pytorch_half_pixel") x = out > 1 ? (f + 0.5f) / scale - 0.5f : 0;
  if (transform == "tf_half_pixel_for_nn") x = (f + 0.5f) / scale;
  float index = 0;
  if (mode == "round_prefer_floor") index = x == std::floor(x) + 0.5f ? std::floor(x) : std::round(x);
  if (mode == "round_prefer_ceil") index = std::round(x);
  if (mode == "floor") index = std::floor(x);
  if (mode == "ceil") index = std::ceil(x);
  return std::clamp<int64_t>(static_cast<int64_t>(index), 0, in - 1);
}

TEST(OpsHeavyResizeTest, NearestModesAndTransforms) {
  const Tensor x = RandomTensor({1, 2, 5, 7}, 1);
  const std::vector<float> xv = Values(x);
  for (const char *transform : {"half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"}) {
    for (const char *mode : {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}) {
      for (const Shape &out_hw : {Shape{11, 3}, Shape{3, 16}}) {
        SCOPED_TRACE(std::string(transform) + " " + mode + " " + aclsim::exec::ShapeToString(out_hw));
        const Tensor sizes = Sizes({1, 2, out_hw[0], out_hw[1]});
        const Tensor y = RunResize(x, nullptr, &sizes, [&](OpHarness &h) {
          h.String("coordinate_transformation_mode", transform).String("nearest_mode", mode);
        });
        std::vector<float> want;
        for (int64_t c = 0; c < 2; ++c) {
          for (int64_t i = 0; i < out_hw[0]; ++i) {
            for (int64_t j = 0; j < out_hw[1]; ++j) {
              want.push_back(xv[(c * 5 + NearestIndex(transform, mode, i, 5, out_hw[0])) * 7 +
                                NearestIndex(transform, mode, j, 7, out_hw[1])]);
            }
          }
        }
        EXPECT_EQ(Values(y), want);
      }
    }
  }
}

// 1-D linear interpolation weights as ONNX's reference computes them (coordinates clamped).
void LinearWeights(const std::string &transform, int64_t o, int64_t in, double scale, double length, int64_t *lo,
                   int64_t *hi, double *w_hi) {
  double x = 0;
  if (transform == "half_pixel") x = (o + 0.5) / scale - 0.5;
  if (transform == "asymmetric") x = o / scale;
  if (transform == "align_corners") x = length == 1 ? 0 : o * (in - 1.0) / (length - 1.0);
  if (transform == "pytorch_half_pixel") x = length > 1 ? (o + 0.5) / scale - 0.5 : 0;
  x = std::clamp(x, 0.0, in - 1.0);
  *lo = static_cast<int64_t>(std::floor(x));
  *hi = std::min(*lo + 1, in - 1);
  *w_hi = x - *lo;
}

TEST(OpsHeavyResizeTest, BilinearTransformsScalesAndSizes) {
  const Tensor x = RandomTensor({2, 3, 6, 5}, 2);
  const std::vector<float> xv = Values(x);
  for (const char *transform : {"half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"}) {
    for (bool by_sizes : {false, true}) {
      SCOPED_TRACE(std::string(transform) + (by_sizes ? " sizes" : " scales"));
      const double sh = by_sizes ? 13.0 / 6 : 1.75, sw = by_sizes ? 2.0 / 5 : 0.6;
      const int64_t oh = by_sizes ? 13 : static_cast<int64_t>(6 * 1.75f),
                    ow = by_sizes ? 2 : static_cast<int64_t>(5 * 0.6f);
      const double lh = by_sizes ? oh : 6 * sh, lw = by_sizes ? ow : 5 * sw;
      const Tensor scales = Scales({1, 1, 1.75f, 0.6f});
      const Tensor sizes = Sizes({2, 3, 13, 2});
      const Tensor y = RunResize(x, by_sizes ? nullptr : &scales, by_sizes ? &sizes : nullptr, [&](OpHarness &h) {
        h.String("mode", "linear").String("coordinate_transformation_mode", transform);
      });
      ASSERT_EQ(y.shape(), (Shape{2, 3, oh, ow}));
      std::vector<double> want;
      for (int64_t p = 0; p < 6; ++p) {
        for (int64_t i = 0; i < oh; ++i) {
          int64_t y0, y1, x0, x1;
          double wy, wx;
          LinearWeights(transform, i, 6, sh, lh, &y0, &y1, &wy);
          for (int64_t j = 0; j < ow; ++j) {
            LinearWeights(transform, j, 5, sw, lw, &x0, &x1, &wx);
            const float *plane = xv.data() + p * 30;
            const double top = plane[y0 * 5 + x0] * (1 - wx) + plane[y0 * 5 + x1] * wx;
            const double bottom = plane[y1 * 5 + x0] * (1 - wx) + plane[y1 * 5 + x1] * wx;
            want.push_back(top * (1 - wy) + bottom * wy);
          }
        }
      }
      ExpectClose(Values(y), want, 1e-5, 1e-5);
    }
  }
}

TEST(OpsHeavyResizeTest, LinearOverThreeAxesAndOtherTypes) {
  // Trilinear: the upsampling of [1, 1, 2, 2, 2] by 2 with align_corners is exact in floats.
  std::vector<float> v = {0, 1, 2, 3, 4, 5, 6, 7};
  const Tensor x = FloatTensor({1, 1, 2, 2, 2}, v);
  const Tensor sizes = Sizes({1, 1, 3, 3, 3});
  const Tensor y = RunResize(x, nullptr, &sizes, [](OpHarness &h) {
    h.String("mode", "linear").String("coordinate_transformation_mode", "align_corners");
  });
  ASSERT_EQ(y.shape(), (Shape{1, 1, 3, 3, 3}));
  const std::vector<float> got = Values(y);
  EXPECT_EQ(got[13], 3.5f);  // the centre: mean of the corners
  EXPECT_EQ(got[26], 7.0f);
  // float64 linear, and nearest on int64 and uint8.
  const Tensor xd = TypedTensor<double>(DType::kFloat64, {1, 2}, {0, 1});
  const Tensor scale2 = Scales({1, 2});
  const Tensor yd = RunResize(xd, &scale2, nullptr, [](OpHarness &h) {
    h.String("mode", "linear").String("coordinate_transformation_mode", "asymmetric");
  });
  EXPECT_EQ(std::vector<double>(yd.data<double>(), yd.data<double>() + 4), (std::vector<double>{0, 0.5, 1, 1}));
  const Tensor xi = TypedTensor<int64_t>(DType::kInt64, {2}, {7, -9});
  const Tensor scale1 = Scales({2});
  const Tensor yi = RunResize(xi, &scale1, nullptr, [](OpHarness &) {});
  EXPECT_EQ(std::vector<int64_t>(yi.data<int64_t>(), yi.data<int64_t>() + 4), (std::vector<int64_t>{7, 7, -9, -9}));
  const Tensor xh = ToHalf(FloatTensor({1, 2}, {0, 1}));
  const Tensor yh = RunResize(xh, &scale2, nullptr, [](OpHarness &h) { h.String("mode", "linear"); });
  ASSERT_EQ(yh.dtype(), DType::kFloat16);
  EXPECT_EQ(Values(yh), (std::vector<float>{0, 0.25f, 0.75f, 1}));
}

TEST(OpsHeavyResizeTest, SameSizeIsACopy) {
  // Scale 1.21 on 4 elements gives 4: a copy, even where pytorch_half_pixel + floor would
  // otherwise shift the samples (onnxruntime agrees).
  const Tensor x = FloatTensor({1, 4}, {1, 2, 3, 4});
  const Tensor scales = Scales({1, 1.21f});
  const Tensor y = RunResize(x, &scales, nullptr, [](OpHarness &h) {
    h.String("coordinate_transformation_mode", "pytorch_half_pixel").String("nearest_mode", "floor");
  });
  EXPECT_EQ(Values(y), (std::vector<float>{1, 2, 3, 4}));
}

// An empty result costs nothing per position of its other axes: the coordinate maps are as long
// as each output axis, so sizes [0, 2^40] used to ask for terabytes (the model-loader fuzzer ran
// into [0, millions], which took a second per execution under the sanitizers).
TEST(OpsHeavyResizeTest, EmptyResultBuildsNoCoordinateMaps) {
  const Tensor x = FloatTensor({1, 4}, {1, 2, 3, 4});
  const Tensor sizes = Sizes({0, int64_t{1} << 40});
  for (const char *mode : {"nearest", "linear"}) {
    const Tensor y = RunResize(x, nullptr, &sizes, [&](OpHarness &h) { h.String("mode", mode); });
    EXPECT_EQ(y.shape(), (Shape{0, int64_t{1} << 40})) << mode;
  }
}

TEST(OpsHeavyResizeTest, Opset10UsesAsymmetricAndItsOwnRounding) {
  ThreadPool pool(1);
  const Tensor x = FloatTensor({1, 4}, {1, 2, 3, 4});
  const Tensor scales = Scales({1, 0.5f});
  OpHarness h("Resize", 10, 2);
  h.String("mode", "nearest");
  // Downsampling rounds up: x = o / 0.5 → 0, 2.
  EXPECT_EQ(Values(h.InitAndRun({&x, &scales}, pool)), (std::vector<float>{1, 3}));
  const Tensor up = Scales({1, 1.5f});
  OpHarness h2("Resize", 10, 2);
  // Upsampling truncates: o / 1.5 for o in 0..5 → 0, 0, 1, 2, 2, 3.
  EXPECT_EQ(Values(h2.InitAndRun({&x, &up}, pool)), (std::vector<float>{1, 1, 2, 3, 3, 4}));
}

TEST(OpsHeavyResizeTest, AxesAndAspectRatioPolicy) {
  const Tensor x = RandomTensor({1, 1, 4, 6}, 5);
  const Tensor sizes = Sizes({8, 8});
  const Tensor y = RunResize(
      x, nullptr, &sizes,
      [](OpHarness &h) {
        h.Ints("axes", {2, 3}).String("keep_aspect_ratio_policy", "not_larger");
      },
      18);
  EXPECT_EQ(y.shape(), (Shape{1, 1, 5, 8}));  // scale min(8/4, 8/6) = 4/3
  const Tensor z = RunResize(
      x, nullptr, &sizes,
      [](OpHarness &h) {
        h.Ints("axes", {-2, -1}).String("keep_aspect_ratio_policy", "not_smaller");
      },
      18);
  EXPECT_EQ(z.shape(), (Shape{1, 1, 8, 12}));
  const Tensor scales = Scales({2});
  const Tensor w = RunResize(
      x, &scales, nullptr, [](OpHarness &h) { h.Ints("axes", {3}); }, 18);
  EXPECT_EQ(w.shape(), (Shape{1, 1, 4, 12}));
}

TEST(OpsHeavyResizeTest, RejectedAtLoadOrRun) {
  for (const auto &[name, value] : std::vector<std::pair<std::string, std::string>>{
           {"mode", "cubic"}, {"coordinate_transformation_mode", "tf_crop_and_resize"}, {"mode", "area"}}) {
    OpHarness h("Resize", 13, 3);
    h.String(name, value);
    const Status status = h.Init();
    EXPECT_EQ(status.code(), aclsim::exec::kInvalidModel) << name;
    EXPECT_NE(status.message().find(value), std::string::npos) << status.message();
  }
  {
    OpHarness h("Resize", 18, 3);
    h.Int("antialias", 1);
    EXPECT_EQ(h.Init().code(), aclsim::exec::kInvalidModel);
  }
  ThreadPool pool(1);
  OpHarness h("Resize", 13, 4);
  h.Absent(1);
  ASSERT_TRUE(h.Init().ok());
  const Tensor x = RandomTensor({1, 4}, 1);
  const Tensor scales = Scales({1, 2}), sizes = Sizes({1, 8}), bad = Scales({2}), negative = Scales({1, -1});
  std::vector<Tensor> out;
  EXPECT_EQ(h.Run({&x, nullptr, &scales, &sizes}, &out, pool).code(), aclsim::exec::kShapeInvalid);   // both
  EXPECT_EQ(h.Run({&x, nullptr, nullptr, nullptr}, &out, pool).code(), aclsim::exec::kShapeInvalid);  // neither
  EXPECT_EQ(h.Run({&x, nullptr, &bad, nullptr}, &out, pool).code(), aclsim::exec::kShapeInvalid);
  EXPECT_EQ(h.Run({&x, nullptr, &negative, nullptr}, &out, pool).code(), aclsim::exec::kShapeInvalid);
  const Tensor linear_int = Int64Tensor({1, 2}, {1, 2});
  OpHarness lin("Resize", 13, 3);
  lin.Absent(1).String("mode", "linear");
  ASSERT_TRUE(lin.Init().ok());
  EXPECT_EQ(lin.Run({&linear_int, nullptr, &scales}, &out, pool).code(), aclsim::exec::kDataTypeInvalid);
}

TEST(OpsHeavyResizeTest, InferFromConstantSizes) {
  OpHarness h("Resize", 13, 4);
  h.Absent(1).Absent(2);
  ASSERT_TRUE(h.Init().ok());
  ValueInfo sizes = Known(DType::kInt64, {4});
  sizes.value = std::make_shared<Tensor>(Sizes({1, 3, 64, 32}));
  std::vector<ValueInfo> out;
  ASSERT_TRUE(h.Infer({Known(DType::kFloat32, {1, 3, 16, 16}), ValueInfo(), ValueInfo(), sizes}, &out).ok());
  EXPECT_EQ(out[0].shape, (Shape{1, 3, 64, 32}));
  ValueInfo unknown = Known(DType::kInt64, {4});
  ASSERT_TRUE(h.Infer({Known(DType::kFloat32, {1, 3, 16, 16}), ValueInfo(), ValueInfo(), unknown}, &out).ok());
  EXPECT_EQ(out[0].shape, (Shape{-1, -1, -1, -1}));
}

}  // namespace
