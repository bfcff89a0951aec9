// BatchNormalization (inference, spatial = 0, training mode), LayerNormalization and
// InstanceNormalization through their registered kernels against float64 references, including
// inputs with a large common offset, where single-pass float statistics would lose the variance.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ops_heavy_test_util.h"

namespace {

using namespace heavytest;
using aclsim::exec::ElementCount;

TEST(OpsHeavyNormTest, BatchNormInference) {
  ThreadPool pool(2);
  const Tensor x = RandomTensor({2, 3, 4, 5}, 1, -2, 2);
  const Tensor scale = RandomTensor({3}, 2), bias = RandomTensor({3}, 3), mean = RandomTensor({3}, 4);
  const Tensor var = RandomTensor({3}, 5, 0.1f, 2.0f);
  const float epsilon = 1e-2f;
  const std::vector<float> xv = Values(x), s = Values(scale), b = Values(bias), m = Values(mean), v = Values(var);
  std::vector<double> want;
  for (int64_t i = 0; i < x.elements(); ++i) {
    const int64_t c = (i / 20) % 3;
    want.push_back(s[c] * (xv[i] - m[c]) / std::sqrt(static_cast<double>(v[c]) + epsilon) + b[c]);
  }
  for (int opset : {7, 9, 14, 15}) {
    SCOPED_TRACE(opset);
    OpHarness h("BatchNormalization", opset, 5);
    h.Float("epsilon", epsilon);
    ExpectClose(Values(h.InitAndRun({&x, &scale, &bias, &mean, &var}, pool)), want);
  }
  // float16 and float64 inputs.
  const Tensor xh = ToHalf(x);
  OpHarness half("BatchNormalization", 15, 5);
  half.Float("epsilon", epsilon);
  const Tensor yh = half.InitAndRun({&xh, &scale, &bias, &mean, &var}, pool);
  ASSERT_EQ(yh.dtype(), DType::kFloat16);
  ExpectClose(Values(yh), want, 2e-3, 5e-3);
}

TEST(OpsHeavyNormTest, BatchNormSpatialZero) {
  ThreadPool pool(1);
  const Tensor x = RandomTensor({2, 3, 2}, 1);
  const Tensor scale = RandomTensor({3, 2}, 2), bias = RandomTensor({3, 2}, 3), mean = RandomTensor({3, 2}, 4);
  const Tensor var = RandomTensor({3, 2}, 5, 0.5f, 1.5f);
  const std::vector<float> xv = Values(x), s = Values(scale), b = Values(bias), m = Values(mean), v = Values(var);
  std::vector<double> want;
  for (int64_t i = 0; i < 12; ++i) {
    const int64_t g = i % 6;
    want.push_back(s[g] * (xv[i] - m[g]) / std::sqrt(static_cast<double>(v[g]) + 1e-5) + b[g]);
  }
  OpHarness h("BatchNormalization", 7, 5);
  h.Int("spatial", 0);
  ExpectClose(Values(h.InitAndRun({&x, &scale, &bias, &mean, &var}, pool)), want);
}

TEST(OpsHeavyNormTest, BatchNormTrainingMode) {
  ThreadPool pool(2);
  const Tensor x = RandomTensor({2, 3, 4, 5}, 11, 5, 9);
  const Tensor scale = RandomTensor({3}, 12), bias = RandomTensor({3}, 13), mean = RandomTensor({3}, 14);
  const Tensor var = RandomTensor({3}, 15, 0.1f, 2.0f);
  const std::vector<float> xv = Values(x), s = Values(scale), b = Values(bias), m = Values(mean), v = Values(var);
  std::vector<double> batch_mean(3, 0), batch_var(3, 0);
  for (int64_t i = 0; i < x.elements(); ++i) batch_mean[(i / 20) % 3] += xv[i] / 40.0;
  for (int64_t i = 0; i < x.elements(); ++i) {
    const double d = xv[i] - batch_mean[(i / 20) % 3];
    batch_var[(i / 20) % 3] += d * d / 40.0;
  }
  std::vector<double> want, running_mean, running_var;
  for (int64_t i = 0; i < x.elements(); ++i) {
    const int64_t c = (i / 20) % 3;
    want.push_back(s[c] * (xv[i] - batch_mean[c]) / std::sqrt(batch_var[c] + 1e-5) + b[c]);
  }
  for (int c = 0; c < 3; ++c) {
    running_mean.push_back(m[c] * 0.8 + batch_mean[c] * 0.2);
    running_var.push_back(v[c] * 0.8 + batch_var[c] * 0.2);
  }
  OpHarness h("BatchNormalization", 15, 5, 3);
  h.Int("training_mode", 1).Float("momentum", 0.8f);
  ASSERT_TRUE(h.Init().ok());
  std::vector<Tensor> out;
  ASSERT_TRUE(h.Run({&x, &scale, &bias, &mean, &var}, &out, pool).ok());
  ExpectClose(Values(out[0]), want);
  ExpectClose(Values(out[1]), running_mean);
  ExpectClose(Values(out[2]), running_var);
  // Running statistics without training mode are not supported before opset 14.
  OpHarness old("BatchNormalization", 9, 5, 5);
  EXPECT_EQ(old.Init().code(), aclsim::exec::kInvalidModel);
}

std::vector<double> ReferenceLayerNorm(const std::vector<float> &x, int64_t rows, int64_t cols,
                                       const std::vector<float> &scale, const std::vector<float> *bias, double epsilon,
                                       std::vector<double> *means, std::vector<double> *inv_stds) {
  std::vector<double> y;
  for (int64_t r = 0; r < rows; ++r) {
    double mean = 0, var = 0;
    for (int64_t c = 0; c < cols; ++c) mean += x[r * cols + c];
    mean /= cols;
    for (int64_t c = 0; c < cols; ++c) var += (x[r * cols + c] - mean) * (x[r * cols + c] - mean);
    var /= cols;
    const double inv = 1.0 / std::sqrt(var + epsilon);
    for (int64_t c = 0; c < cols; ++c) {
      y.push_back((x[r * cols + c] - mean) * inv * scale[c % scale.size()] + (bias ? (*bias)[c % bias->size()] : 0.0));
    }
    means->push_back(mean);
    inv_stds->push_back(inv);
  }
  return y;
}

TEST(OpsHeavyNormTest, LayerNormAxesAndOutputs) {
  ThreadPool pool(3);
  const Shape shape = {2, 3, 4, 5};
  const Tensor x = RandomTensor(shape, 21, -3, 3);
  for (int64_t axis : {-1, -2, 1, 0, 3}) {
    SCOPED_TRACE(axis);
    const int64_t a = axis < 0 ? axis + 4 : axis;
    const Shape normalized(shape.begin() + a, shape.end());
    const int64_t cols = ElementCount(normalized), rows = x.elements() / cols;
    const Tensor scale = RandomTensor(normalized, 22), bias = RandomTensor(normalized, 23);
    std::vector<double> means, invs;
    const std::vector<float> sv = Values(scale), bv = Values(bias);
    const std::vector<double> want = ReferenceLayerNorm(Values(x), rows, cols, sv, &bv, 1e-5, &means, &invs);
    OpHarness h("LayerNormalization", 17, 3, 3);
    h.Int("axis", axis);
    ASSERT_TRUE(h.Init().ok());
    std::vector<ValueInfo> inferred;
    ASSERT_TRUE(
        h.Infer({Known(DType::kFloat32, shape), Known(DType::kFloat32, normalized), Known(DType::kFloat32, normalized)},
                &inferred)
            .ok());
    Shape stat_shape = shape;
    for (size_t d = static_cast<size_t>(a); d < 4; ++d) stat_shape[d] = 1;
    EXPECT_EQ(inferred[1].shape, stat_shape);
    std::vector<Tensor> out;
    ASSERT_TRUE(h.Run({&x, &scale, &bias}, &out, pool).ok());
    ExpectClose(Values(out[0]), want);
    ASSERT_EQ(out[1].shape(), stat_shape);
    ExpectClose(Values(out[1]), means);
    ExpectClose(Values(out[2]), invs);
  }
}

TEST(OpsHeavyNormTest, LayerNormLargeOffsetBroadcastScaleNoBias) {
  // Values around 1000 with spread 0.01: E[x²] − E[x]² in float would be all rounding error.
  ThreadPool pool(1);
  std::vector<float> values = RandomFloats(4 * 64, 31, -0.01f, 0.01f);
  for (float &v : values) v += 1000.0f;
  const Tensor x = FloatTensor({4, 64}, values);
  const Tensor scale = FloatTensor({1}, {2.0f});  // broadcast over the row
  std::vector<double> means, invs;
  std::vector<double> want = ReferenceLayerNorm(values, 4, 64, {2.0f}, nullptr, 1e-5, &means, &invs);
  OpHarness h("LayerNormalization", 17, 2);
  const Tensor y = h.InitAndRun({&x, &scale}, pool);
  // The input itself is only float-accurate (ulp(1000) ≈ 6e-5 against a spread of 0.01), so
  // the bound is what its rounding allows, far below what float statistics would give.
  ExpectClose(Values(y), want, 1e-3, 2e-2);
}

TEST(OpsHeavyNormTest, LayerNormChecks) {
  ThreadPool pool(1);
  {
    OpHarness h("LayerNormalization", 17, 2);
    h.Int("stash_type", 11);
    EXPECT_EQ(h.Init().code(), aclsim::exec::kInvalidModel);
  }
  {
    OpHarness h("LayerNormalization", 17, 2);
    h.Int("axis", 2);
    ASSERT_TRUE(h.Init().ok());
    const Tensor x = RandomTensor({2, 3}, 1), s = RandomTensor({3}, 2);
    std::vector<Tensor> out;
    EXPECT_EQ(h.Run({&x, &s}, &out, pool).code(), aclsim::exec::kShapeInvalid);
  }
  {
    OpHarness h("LayerNormalization", 17, 2);
    ASSERT_TRUE(h.Init().ok());
    const Tensor x = RandomTensor({2, 3}, 1), s = RandomTensor({2}, 2);
    std::vector<Tensor> out;
    EXPECT_EQ(h.Run({&x, &s}, &out, pool).code(), aclsim::exec::kShapeInvalid);
  }
}

TEST(OpsHeavyNormTest, InstanceNorm) {
  ThreadPool pool(2);
  const Tensor x = RandomTensor({2, 3, 6, 7}, 41, 100, 101);
  const Tensor scale = RandomTensor({3}, 42), bias = RandomTensor({3}, 43);
  const std::vector<float> xv = Values(x), s = Values(scale), b = Values(bias);
  std::vector<double> want;
  for (int64_t p = 0; p < 6; ++p) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < 42; ++i) mean += xv[p * 42 + i] / 42.0;
    for (int64_t i = 0; i < 42; ++i) var += (xv[p * 42 + i] - mean) * (xv[p * 42 + i] - mean) / 42.0;
    for (int64_t i = 0; i < 42; ++i) {
      want.push_back(s[p % 3] * (xv[p * 42 + i] - mean) / std::sqrt(var + 1e-3) + b[p % 3]);
    }
  }
  OpHarness h("InstanceNormalization", 6, 3);
  h.Float("epsilon", 1e-3f);
  ExpectClose(Values(h.InitAndRun({&x, &scale, &bias}, pool)), want, 1e-3, 1e-3);
}

}  // namespace
