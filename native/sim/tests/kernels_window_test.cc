// Sliding-window geometry (kernels/window.h) and the banded convolution planner: output sizes and
// pads for every auto_pad mode, ceil_mode's last-window rule, attribute checks, and when the
// banded path declines a window.
#include <gtest/gtest.h>

#include <vector>

#include "ops_heavy_test_util.h"
#include "sim/executor/kernels/conv_bands.h"
#include "sim/executor/kernels/window.h"

namespace {

using namespace aclsim::exec::kernels;
using aclsim::exec::Attribute;
using aclsim::exec::NodeDef;
using aclsim::exec::Status;

WindowAxis Resolve1(const WindowAttributes &attrs, int64_t in, int64_t kernel) {
  std::vector<WindowAxis> axes;
  const Status status = ResolveWindow(attrs, {in}, {kernel}, &axes);
  EXPECT_TRUE(status.ok()) << status.message();
  return axes.empty() ? WindowAxis() : axes[0];
}

TEST(KernelsWindowTest, ExplicitPadsAndCeilMode) {
  WindowAttributes attrs;
  attrs.strides = {2};
  attrs.pads = {1, 1};
  WindowAxis axis = Resolve1(attrs, 112, 3);
  EXPECT_EQ(axis.out, 56);
  EXPECT_EQ(axis.pad_begin, 1);
  attrs.ceil_mode = true;
  attrs.pads = {1, 1};
  // (5 + 2 − 2) / 2 + 1 = 3.5 → 4, but the 4th window would start in the trailing pad → 3.
  EXPECT_EQ(Resolve1(attrs, 5, 2).out, 3);
  attrs.pads = {0, 0};
  EXPECT_EQ(Resolve1(attrs, 4, 3).out, 2);  // ONNX's test_maxpool_2d_ceil: 1.5 → 2
}

TEST(KernelsWindowTest, AutoPadModes) {
  WindowAttributes attrs;
  attrs.strides = {3};
  attrs.auto_pad = AutoPad::kSameUpper;
  WindowAxis upper = Resolve1(attrs, 10, 4);  // out 4, total pad (4−1)·3 + 4 − 10 = 3
  EXPECT_EQ(upper.out, 4);
  EXPECT_EQ(upper.pad_begin, 1);
  EXPECT_EQ(upper.pad_end, 2);
  attrs.auto_pad = AutoPad::kSameLower;
  WindowAxis lower = Resolve1(attrs, 10, 4);
  EXPECT_EQ(lower.pad_begin, 2);
  EXPECT_EQ(lower.pad_end, 1);
  attrs.auto_pad = AutoPad::kValid;
  EXPECT_EQ(Resolve1(attrs, 10, 4).out, 3);
  attrs.dilations = {2};
  EXPECT_EQ(Resolve1(attrs, 10, 4).out, 2);  // span 7
}

TEST(KernelsWindowTest, ErrorsNameTheProblem) {
  WindowAttributes attrs;
  std::vector<WindowAxis> axes;
  Status status = ResolveWindow(attrs, {2}, {3}, &axes);
  EXPECT_EQ(status.code(), aclsim::exec::kShapeInvalid);
  EXPECT_NE(status.message().find("smaller than the window"), std::string::npos) << status.message();
  attrs.strides = {1, 1};
  EXPECT_EQ(ResolveWindow(attrs, {8}, {3}, &axes).code(), aclsim::exec::kShapeInvalid);

  NodeDef node;
  node.op_type = "Conv";
  node.opset = 11;
  Attribute pads;
  pads.kind = Attribute::Kind::kInts;
  pads.ints = {-1, 0};
  node.attributes.Set("pads", pads);
  WindowAttributes read;
  status = ReadWindowAttributes(node, true, false, &read);
  EXPECT_EQ(status.code(), aclsim::exec::kInvalidModel);
  EXPECT_NE(status.message().find("pads"), std::string::npos) << status.message();
  Attribute wrong_kind;
  wrong_kind.kind = Attribute::Kind::kInt;
  node.attributes.Set("pads", wrong_kind);
  EXPECT_EQ(ReadWindowAttributes(node, true, false, &read).code(), aclsim::exec::kInvalidModel);
}

TEST(KernelsWindowTest, InferKeepsUnknownAxesUnknown) {
  WindowAttributes attrs;
  attrs.strides = {2, 2};
  std::vector<int64_t> out;
  ASSERT_TRUE(InferWindowOutput(attrs, {-1, 9}, {3, 3}, &out).ok());
  EXPECT_EQ(out, (std::vector<int64_t>{-1, 4}));
}

TEST(KernelsWindowTest, BandPlannerDeclinesUnsuitableWindows) {
  WindowAttributes attrs;
  std::vector<WindowAxis> axes;
  BandPlan plan;
  // A 3-D window has no banded path.
  ASSERT_TRUE(ResolveWindow(attrs, {4, 4, 4}, {3, 3, 3}, &axes).ok());
  EXPECT_FALSE(PlanBands(ToWindow3(axes), 2, 1, 1, &plan));
  // A 3×3 window over a 4-wide output would compute 2 dropped columns per 4 kept.
  attrs.pads = {1, 1, 1, 1};
  ASSERT_TRUE(ResolveWindow(attrs, {4, 4}, {3, 3}, &axes).ok());
  EXPECT_FALSE(PlanBands(ToWindow3(axes), 2, 1, 1, &plan));
  // ResNet's 3×3 convolution at 56×56: one phase, rows of 58, bands split for two threads.
  ASSERT_TRUE(ResolveWindow(attrs, {56, 56}, {3, 3}, &axes).ok());
  ASSERT_TRUE(PlanBands(ToWindow3(axes), 64, 1, 2, &plan));
  EXPECT_EQ(plan.phase_width, 58);
  EXPECT_GE(plan.bands, 2);
  EXPECT_EQ(plan.depth_offsets.size(), 64u * 9u);
  // Its 7×7/2 stem: four phases, rows of 112 + 3.
  attrs.strides = {2, 2};
  attrs.pads = {3, 3, 3, 3};
  ASSERT_TRUE(ResolveWindow(attrs, {224, 224}, {7, 7}, &axes).ok());
  ASSERT_TRUE(PlanBands(ToWindow3(axes), 3, 1, 1, &plan));
  EXPECT_EQ(plan.phase_width, 115);
  // A dilation of 100,000 with the padding to match: a 4×4 output whose kernel spans 100,001
  // input rows. A band of one output row would hold 8 channels × 100,001 rows (3.2 MB per
  // column); the planner declines it (found by the model-loader fuzzer: a band of 755 MB).
  attrs = WindowAttributes();
  attrs.dilations = {100000, 1};
  attrs.pads = {50000, 0, 50000, 0};
  ASSERT_TRUE(ResolveWindow(attrs, {4, 4}, {2, 1}, &axes).ok());
  EXPECT_FALSE(PlanBands(ToWindow3(axes), 8, 1, 1, &plan));
}

}  // namespace
