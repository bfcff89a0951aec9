// fusion.h: a Conv → BatchNormalization → Relu → Add(residual) → Relu block gives the numbers of
// the unfused formulas, on every ISA, whether or not the intermediate values are graph outputs
// (an output is never fused away).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "sim/executor/cpu.h"
#include "sim/executor/executable.h"
#include "sim/executor/thread_pool.h"
#include "sim/tests/onnx_test_builder.h"

namespace {

using aclsim::exec::DType;
using aclsim::exec::Executable;
using aclsim::exec::Isa;
using aclsim::exec::Tensor;
using aclsim::exec::ThreadPool;
using namespace onnxtest;

constexpr int kC = 3, kH = 5, kW = 6;

std::vector<float> Sequence(size_t n, float scale, float offset) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = std::sin(static_cast<float>(i) * scale + offset);
  return v;
}

struct Block {
  std::vector<float> x = Sequence(kC * kH * kW, 0.37f, 0.1f);
  std::vector<float> w = Sequence(kC * kC * 9, 0.91f, 0.3f);
  std::vector<float> b = {0.1f, -0.2f, 0.05f};
  std::vector<float> scale = {1.2f, 0.8f, -0.5f}, shift = {0.3f, -0.1f, 0.2f};
  std::vector<float> mean = {0.05f, -0.2f, 0.1f}, var = {0.9f, 1.3f, 0.4f};
  float epsilon = 1e-3f;

  // relu(bn(conv(x))) and relu(that + x), straight from the definitions, in double.
  void Reference(std::vector<float> *first, std::vector<float> *out) const {
    first->assign(x.size(), 0);
    out->assign(x.size(), 0);
    for (int m = 0; m < kC; ++m) {
      for (int i = 0; i < kH; ++i) {
        for (int j = 0; j < kW; ++j) {
          double sum = b[m];
          for (int c = 0; c < kC; ++c) {
            for (int p = 0; p < 3; ++p) {
              for (int q = 0; q < 3; ++q) {
                const int y = i + p - 1, z = j + q - 1;
                if (y < 0 || y >= kH || z < 0 || z >= kW) continue;
                sum += static_cast<double>(w[((m * kC + c) * 3 + p) * 3 + q]) * x[(c * kH + y) * kW + z];
              }
            }
          }
          const double normed = (sum - mean[m]) / std::sqrt(static_cast<double>(var[m]) + epsilon) * scale[m] + shift[m];
          const size_t at = (m * kH + i) * kW + j;
          (*first)[at] = static_cast<float>(std::max(0.0, normed));
          (*out)[at] = static_cast<float>(std::max(0.0, std::max(0.0, normed) + x[at]));
        }
      }
    }
  }

  std::string Model(bool intermediates_are_outputs) const {
    ModelBuilder m;
    m.Input("x", DType::kFloat32, {1, kC, kH, kW});
    m.Output("y", DType::kFloat32, {1, kC, kH, kW});
    if (intermediates_are_outputs) {
      m.Output("bn", DType::kFloat32, {1, kC, kH, kW});
      m.Output("r1", DType::kFloat32, {1, kC, kH, kW});
    }
    m.Initializer(FloatTensor("w", {kC, kC, 3, 3}, w));
    m.Initializer(FloatTensor("b", {kC}, b));
    m.Initializer(FloatTensor("scale", {kC}, scale));
    m.Initializer(FloatTensor("shift", {kC}, shift));
    m.Initializer(FloatTensor("mean", {kC}, mean));
    m.Initializer(FloatTensor("var", {kC}, var));
    m.AddNode(Node("Conv", {"x", "w", "b"}, {"c"}, {AttrInts("pads", {1, 1, 1, 1})}));
    m.AddNode(Node("BatchNormalization", {"c", "scale", "shift", "mean", "var"}, {"bn"}, {AttrFloat("epsilon", epsilon)}));
    m.AddNode(Node("Relu", {"bn"}, {"r1"}));
    m.AddNode(Node("Add", {"r1", "x"}, {"s"}));
    m.AddNode(Node("Relu", {"s"}, {"y"}));
    return m.Build();
  }
};

void ExpectNear(const std::vector<float> &got, const std::vector<float> &want, const char *what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-4f + 1e-4f * std::fabs(want[i])) << what << " at " << i;
}

TEST(ExecutorFusion, ConvBatchNormReluResidualMatchesTheDefinitions) {
  Block block;
  std::vector<float> first, want;
  block.Reference(&first, &want);
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    if (static_cast<int>(isa) > static_cast<int>(aclsim::exec::BestIsa())) break;
    const Isa saved = aclsim::exec::SetActiveIsa(isa);
    for (bool outputs : {false, true}) {
      std::unique_ptr<Executable> e;
      ASSERT_TRUE(Load(block.Model(outputs), &e).ok());
      ThreadPool pool(2);
      std::vector<Tensor> out;
      auto status = e->Run({Floats({1, kC, kH, kW}, block.x)}, &out, pool);
      ASSERT_TRUE(status.ok()) << status.message();
      ExpectNear(Values<float>(out[0]), want, aclsim::exec::IsaName(isa));
      if (outputs) {
        ASSERT_EQ(out.size(), 3u);
        ExpectNear(Values<float>(out[2]), first, "r1, a graph output, is still computed");
        std::vector<float> bn = Values<float>(out[1]);
        bool negative = false;
        for (float v : bn) negative = negative || v < 0;
        EXPECT_TRUE(negative) << "bn, a graph output, must not have the Relu applied";
      }
    }
    aclsim::exec::SetActiveIsa(saved);
  }
}

}  // namespace
