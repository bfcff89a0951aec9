// Light data-movement kernels: Reshape, Slice, Pad, Split, Transpose, Gather, Expand, Tile,
// CumSum, Trilu, ScatterND, Range, Dropout — edge cases beyond ONNX's tests.
#include <gtest/gtest.h>

#include <limits>
#include <numeric>
#include <random>

#include "sim/tests/ops_light_test_util.h"

namespace {

using aclsim::exec::DType;
using aclsim::exec::Shape;
using aclsim::exec::Status;
using aclsim::exec::Tensor;
using namespace onnxtest;
namespace exec = aclsim::exec;

Tensor Iota(const Shape &shape) {
  Tensor t(DType::kFloat32, shape);
  for (int64_t i = 0; i < t.elements(); ++i) t.data<float>()[i] = static_cast<float>(i);
  return t;
}

TEST(OpsLightShape, ReshapeZeroMinusOneAndAllowzero) {
  Tensor x = Iota({2, 3, 4});
  EXPECT_EQ(Run1("Reshape", 14, {}, {x, Int64s({2}, {0, -1})})[0].shape(), (Shape{2, 12}));
  EXPECT_EQ(Run1("Reshape", 14, {}, {x, Int64s({3}, {-1, 0, 2})})[0].shape(), (Shape{4, 3, 2}));
  Tensor empty(DType::kFloat32, {0, 3});
  EXPECT_EQ(Run1("Reshape", 14, {AttrInt("allowzero", 1)}, {empty, Int64s({2}, {3, 0})})[0].shape(), (Shape{3, 0}));
  EXPECT_EQ(Run1("Reshape", 1, {AttrInts("shape", {4, 6})}, {x})[0].shape(), (Shape{4, 6}));
  std::vector<Tensor> out;
  Status s = RunOp("Reshape", 14, {}, {x, Int64s({2}, {5, -1})}, 1, &out);
  EXPECT_EQ(s.code(), exec::kShapeInvalid);
  EXPECT_NE(s.message().find("cannot reshape [2, 3, 4] (24 elements) to [5, -1]"), std::string::npos) << s.message();
  EXPECT_EQ(RunOp("Reshape", 14, {}, {x, Int64s({2}, {-1, -1})}, 1, &out).code(), exec::kShapeInvalid);
}

TEST(OpsLightShape, SliceClampsExtremesAndNegativeSteps) {
  Tensor x = Iota({5});
  const int64_t big = std::numeric_limits<int64_t>::max(), small = std::numeric_limits<int64_t>::min();
  auto slice = [&](int64_t start, int64_t end, int64_t step) {
    return Values<float>(Run1("Slice", 13, {}, {x, Int64s({1}, {start}), Int64s({1}, {end}), Int64s({1}, {0}),
                                                Int64s({1}, {step})})[0]);
  };
  EXPECT_EQ(slice(0, big, 1), (std::vector<float>{0, 1, 2, 3, 4}));
  EXPECT_EQ(slice(-1, small, -1), (std::vector<float>{4, 3, 2, 1, 0}));
  EXPECT_EQ(slice(big, small, -2), (std::vector<float>{4, 2, 0}));
  EXPECT_EQ(slice(1, 4, big), (std::vector<float>{1}));
  EXPECT_EQ(slice(3, 0, small), (std::vector<float>{3}));
  EXPECT_EQ(slice(-100, 2, 1), (std::vector<float>{0, 1}));
  EXPECT_TRUE(slice(3, 1, 1).empty());
  std::vector<Tensor> out;
  EXPECT_EQ(RunOp("Slice", 13, {}, {x, Int64s({1}, {0}), Int64s({1}, {2}), Int64s({1}, {0}), Int64s({1}, {0})}, 1, &out)
                .code(),
            exec::kShapeInvalid);
  // Opset 1: attributes.
  std::vector<Tensor> r = Run1("Slice", 1, {AttrInts("starts", {1}), AttrInts("ends", {3}), AttrInts("axes", {1})},
                               {Iota({2, 4})});
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{1, 2, 5, 6}));
}

TEST(OpsLightShape, PadModesAndNegativePads) {
  Tensor x = Iota({1, 4});  // 0 1 2 3
  auto pad = [&](const std::string &mode, std::vector<int64_t> pads, int64_t opset = 13) {
    return Values<float>(Run1("Pad", opset, {AttrString("mode", mode)}, {x, Int64s({4}, pads)})[0]);
  };
  EXPECT_EQ(pad("constant", {0, 2, 0, 1}), (std::vector<float>{0, 0, 0, 1, 2, 3, 0}));
  EXPECT_EQ(pad("reflect", {0, 2, 0, 2}), (std::vector<float>{2, 1, 0, 1, 2, 3, 2, 1}));
  EXPECT_EQ(pad("edge", {0, 2, 0, 1}), (std::vector<float>{0, 0, 0, 1, 2, 3, 3}));
  EXPECT_EQ(pad("wrap", {0, 2, 0, 1}, 19), (std::vector<float>{2, 3, 0, 1, 2, 3, 0}));
  // Crop one at the front, then reflect the cropped [1 2 3].
  EXPECT_EQ(pad("reflect", {0, -1, 0, 2}), (std::vector<float>{1, 2, 3, 2, 1}));
  // Reflecting further than the dim keeps bouncing.
  EXPECT_EQ(pad("reflect", {0, 5, 0, 0}), (std::vector<float>{1, 2, 3, 2, 1, 0, 1, 2, 3}));
  std::vector<Tensor> r = Run1("Pad", 11, {}, {x, Int64s({4}, {0, 1, 0, 0}), Floats({}, {-7})});
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{-7, 0, 1, 2, 3}));
  r = Run1("Pad", 2, {AttrInts("pads", {1, 0, 0, 0}), AttrFloat("value", 9)}, {x});
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{9, 9, 9, 9, 0, 1, 2, 3}));
  // Opset 18: pads for the named axes only.
  r = Run1("Pad", 18, {}, {x, Int64s({2}, {1, 1}), Tensor(), Int64s({1}, {-1})});
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{0, 0, 1, 2, 3, 0}));
  std::vector<Tensor> out;
  EXPECT_EQ(RunOp("Pad", 13, {}, {x, Int64s({4}, {0, -5, 0, 0})}, 1, &out).code(), exec::kShapeInvalid);
  EXPECT_EQ(RunOp("Pad", 13, {}, {x, Int64s({4}, {0, std::numeric_limits<int64_t>::max(), 0, 1})}, 1, &out).code(),
            exec::kShapeInvalid);
}

// Pad's cost follows its output, not its pads: an empty result padded by 2^40 along another dim
// used to build an index table of 2^40 entries (out of memory at load, where the node is folded),
// and millions of positions of padding cost 8 bytes each before any was written (the
// model-loader fuzzer's slowest inputs). Folded at load (constant inputs), like those models.
TEST(OpsLightShape, PadCostFollowsTheOutputNotThePads) {
  std::vector<Tensor> out;
  const int64_t huge = int64_t{1} << 40;
  Status s = RunOp("Pad", 13, {}, {Tensor(DType::kFloat32, {0, 2}), Int64s({4}, {0, 0, 0, huge})}, 1, &out,
                   /*constant_inputs=*/true);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(out[0].shape(), (Shape{0, 2 + huge}));
  // Padding on both sides of the last dim and of an outer one, in each mode, folded and run.
  ASSERT_TRUE(RunOp("Pad", 13, {}, {Iota({2, 3}), Int64s({4}, {1, 2, 0, 1})}, 1, &out, true).ok());
  EXPECT_EQ(out[0].shape(), (Shape{3, 6}));
  EXPECT_EQ(Values<float>(out[0]), (std::vector<float>{0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 3, 4, 5, 0}));
  ASSERT_TRUE(RunOp("Pad", 13, {AttrString("mode", "reflect")}, {Iota({2, 3}), Int64s({4}, {1, 1, 1, 1})}, 1, &out,
                    true).ok());
  EXPECT_EQ(Values<float>(out[0]),
            (std::vector<float>{4, 3, 4, 5, 4, 1, 0, 1, 2, 1, 4, 3, 4, 5, 4, 1, 0, 1, 2, 1}));
  ASSERT_TRUE(RunOp("Pad", 13, {AttrString("mode", "edge")}, {Iota({2, 3}), Int64s({4}, {0, 2, 1, -1})}, 1, &out,
                    true).ok());
  EXPECT_EQ(Values<float>(out[0]), (std::vector<float>{0, 0, 0, 1, 3, 3, 3, 4, 3, 3, 3, 4}));
}

TEST(OpsLightShape, SplitEvenlyByListOrNumOutputs) {
  Tensor x = Iota({7});
  std::vector<Tensor> r = Run1("Split", 18, {AttrInt("num_outputs", 3)}, {x}, 3);
  EXPECT_EQ(r[0].shape(), (Shape{3}));
  EXPECT_EQ(r[2].shape(), (Shape{1}));
  EXPECT_EQ(Values<float>(r[2]), (std::vector<float>{6}));
  r = Run1("Split", 13, {}, {x, Int64s({2}, {2, 5})}, 2);
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{0, 1}));
  r = Run1("Split", 11, {AttrInts("split", {4, 3})}, {x}, 2);
  EXPECT_EQ(Values<float>(r[1]), (std::vector<float>{4, 5, 6}));
  std::vector<Tensor> out;
  // 7 is odd: with static shapes, the model is inconsistent already at load.
  EXPECT_EQ(RunOp("Split", 13, {}, {x}, 2, &out).code(), exec::kInvalidModel);
}

TEST(OpsLightShape, TransposeMatchesANaivePermutation) {
  std::mt19937 random(9);
  for (int round = 0; round < 60; ++round) {
    const size_t rank = 2 + random() % 4;
    Shape shape(rank);
    for (int64_t &d : shape) d = 1 + random() % 4;
    if (round % 10 == 0) shape = {37, 129};  // a big 2-D case: tiles, threads
    std::vector<int64_t> perm(shape.size());
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), random);
    Tensor x = Iota(shape);
    std::vector<Tensor> r = Run1("Transpose", 13, {AttrInts("perm", perm)}, {x});
    Shape out_shape;
    for (int64_t p : perm) out_shape.push_back(shape[p]);
    ASSERT_EQ(r[0].shape(), out_shape);
    std::vector<int64_t> in_strides(shape.size(), 1);
    for (size_t d = shape.size() - 1; d-- > 0;) in_strides[d] = in_strides[d + 1] * shape[d + 1];
    std::vector<int64_t> index(out_shape.size(), 0);
    for (int64_t i = 0; i < r[0].elements(); ++i) {
      int64_t source = 0;
      for (size_t k = 0; k < perm.size(); ++k) source += index[k] * in_strides[perm[k]];
      ASSERT_EQ(r[0].data<float>()[i], static_cast<float>(source));
      for (size_t d = index.size(); d-- > 0;) {
        if (++index[d] < out_shape[d]) break;
        index[d] = 0;
      }
    }
  }
}

TEST(OpsLightShape, GatherIndicesNegativeAndOutOfRange) {
  Tensor data = Iota({3, 2});
  std::vector<Tensor> r = Run1("Gather", 13, {}, {data, Int64s({2, 1}, {-1, 0})});
  EXPECT_EQ(r[0].shape(), (Shape{2, 1, 2}));
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{4, 5, 0, 1}));
  r = Run1("Gather", 13, {AttrInt("axis", 1)}, {data, MakeTensor<int32_t>(DType::kInt32, {}, {1})});
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{1, 3, 5}));
  std::vector<Tensor> out;
  Status s = RunOp("Gather", 13, {}, {data, Int64s({1}, {3})}, 1, &out);
  EXPECT_EQ(s.code(), exec::kShapeInvalid);
  EXPECT_NE(s.message().find("index 3 (element 0 of the indices) is out of range for an axis of 3"), std::string::npos);
  r = Run1("GatherElements", 13, {AttrInt("axis", 1)}, {data, Int64s({3, 1}, {1, 0, -1})});
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{1, 2, 5}));
}

TEST(OpsLightShape, ScatterNDReductions) {
  Tensor data = Floats({4}, {1, 2, 3, 4});
  Tensor indices = Int64s({3, 1}, {1, 1, 3});
  Tensor updates = Floats({3}, {10, 20, 30});
  EXPECT_EQ(Values<float>(Run1("ScatterND", 16, {AttrString("reduction", "add")}, {data, indices, updates})[0]),
            (std::vector<float>{1, 32, 3, 34}));
  EXPECT_EQ(Values<float>(Run1("ScatterND", 18, {AttrString("reduction", "max")}, {data, indices, updates})[0]),
            (std::vector<float>{1, 20, 3, 30}));
  EXPECT_EQ(Values<float>(Run1("ScatterND", 13, {}, {data, Int64s({1, 1}, {0}), Floats({1}, {-1})})[0]),
            (std::vector<float>{-1, 2, 3, 4}));
  std::vector<Tensor> out;
  EXPECT_EQ(RunOp("ScatterND", 13, {AttrString("reduction", "add")}, {data, indices, updates}, 1, &out).code(),
            exec::kInvalidModel);
}

// A shape computed at run time can ask for more than any host has: a Tile whose repeats come from
// an input made 2^59 bytes (the model-loader fuzzer; AddressSanitizer aborts on such a request).
// The run fails as out of memory without asking the allocator.
TEST(OpsLightShape, ATensorLargerThanTheHostIsOutOfMemory) {
  std::vector<Tensor> out;
  Status s = RunOp("Tile", 13, {}, {Iota({1}), Int64s({1}, {int64_t{1} << 57})}, 1, &out);
  EXPECT_EQ(s.code(), exec::kOutOfMemory) << s.message();
  EXPECT_NE(s.message().find("larger than this host's memory"), std::string::npos) << s.message();
}

TEST(OpsLightShape, ExpandTileCumSumTrilu) {
  std::vector<Tensor> r = Run1("Expand", 13, {}, {Iota({3, 1}), Int64s({3}, {2, 1, 4})});
  EXPECT_EQ(r[0].shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(r[0].data<float>()[13], 0.0f);
  EXPECT_EQ(r[0].data<float>()[23], 2.0f);
  r = Run1("Tile", 13, {}, {Iota({2, 2}), Int64s({2}, {2, 3})});
  EXPECT_EQ(r[0].shape(), (Shape{4, 6}));
  EXPECT_EQ(Values<float>(r[0]).size(), 24u);
  EXPECT_EQ(r[0].data<float>()[6 * 3 + 5], 3.0f);
  r = Run1("CumSum", 14, {AttrInt("exclusive", 1), AttrInt("reverse", 1)},
           {Floats({4}, {1, 2, 3, 4}), MakeTensor<int32_t>(DType::kInt32, {}, {0})});
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{9, 7, 4, 0}));
  r = Run1("Trilu", 14, {AttrInt("upper", 0)}, {Iota({2, 3}), Int64s({}, {std::numeric_limits<int64_t>::min()})});
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{0, 0, 0, 0, 0, 0}));
  r = Run1("Trilu", 14, {}, {Iota({3, 3}), Int64s({}, {1})});
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{0, 1, 2, 0, 0, 5, 0, 0, 0}));
}

TEST(OpsLightShape, RangeConstantOfShapeShapeSize) {
  EXPECT_EQ(Values<int64_t>(Run1("Range", 11, {}, {Int64s({}, {10}), Int64s({}, {1}), Int64s({}, {-3})})[0]),
            (std::vector<int64_t>{10, 7, 4}));
  EXPECT_EQ(Values<float>(Run1("Range", 11, {}, {Floats({}, {0}), Floats({}, {1}), Floats({}, {0.25f})})[0]),
            (std::vector<float>{0, 0.25f, 0.5f, 0.75f}));
  std::vector<Tensor> r = Run1("ConstantOfShape", 9, {AttrTensor("value", Int64Tensor("", {1}, {7}))}, {Int64s({2}, {2, 2})});
  EXPECT_EQ(Values<int64_t>(r[0]), (std::vector<int64_t>{7, 7, 7, 7}));
  r = Run1("Shape", 15, {AttrInt("start", -2)}, {Iota({2, 3, 4})});
  EXPECT_EQ(Values<int64_t>(r[0]), (std::vector<int64_t>{3, 4}));
  r = Run1("Size", 13, {}, {Iota({2, 3, 4})});
  EXPECT_EQ(r[0].data<int64_t>()[0], 24);
  std::vector<Tensor> out;
  EXPECT_EQ(RunOp("Range", 11, {}, {Int64s({}, {0}), Int64s({}, {1}), Int64s({}, {0})}, 1, &out).code(),
            exec::kShapeInvalid);
}

TEST(OpsLightShape, SqueezeUnsqueezeAcrossOpsets) {
  Tensor x = Iota({1, 3, 1});
  EXPECT_EQ(Run1("Squeeze", 11, {}, {x})[0].shape(), (Shape{3}));
  EXPECT_EQ(Run1("Squeeze", 11, {AttrInts("axes", {-1})}, {x})[0].shape(), (Shape{1, 3}));
  EXPECT_EQ(Run1("Squeeze", 13, {}, {x, Int64s({1}, {0})})[0].shape(), (Shape{3, 1}));
  EXPECT_EQ(Run1("Unsqueeze", 11, {AttrInts("axes", {0, -1})}, {x})[0].shape(), (Shape{1, 1, 3, 1, 1}));
  EXPECT_EQ(Run1("Unsqueeze", 13, {}, {x, Int64s({1}, {2})})[0].shape(), (Shape{1, 3, 1, 1}));
  std::vector<Tensor> out;
  EXPECT_EQ(RunOp("Squeeze", 13, {}, {x, Int64s({1}, {1})}, 1, &out).code(), exec::kShapeInvalid);
  EXPECT_EQ(RunOp("Unsqueeze", 13, {}, {x, Int64s({2}, {0, 0})}, 1, &out).code(), exec::kShapeInvalid);
}

TEST(OpsLightShape, DropoutIsTheIdentityAtInference) {
  Tensor x = Iota({2, 2});
  std::vector<Tensor> r = Run1("Dropout", 13, {}, {x, Floats({}, {0.5f})}, 2);
  EXPECT_EQ(Values<float>(r[0]), Values<float>(x));
  EXPECT_EQ(r[1].dtype(), DType::kBool);
  EXPECT_EQ(Values<uint8_t>(r[1]), (std::vector<uint8_t>{1, 1, 1, 1}));
  // Training mode with a zero ratio is still the identity; with a ratio it is refused.
  r = Run1("Dropout", 13, {}, {x, Floats({}, {0}), MakeTensor<uint8_t>(DType::kBool, {}, {1})});
  EXPECT_EQ(Values<float>(r[0]), Values<float>(x));
  std::vector<Tensor> out;
  Status s = RunOp("Dropout", 13, {}, {x, Floats({}, {0.5f}), MakeTensor<uint8_t>(DType::kBool, {}, {1})}, 1, &out);
  EXPECT_EQ(s.code(), exec::kInvalidModel);
  EXPECT_NE(s.message().find("training-mode Dropout"), std::string::npos);
  s = RunOp("Dropout", 13, {}, {x, Floats({}, {0.5f}), MakeTensor<uint8_t>(DType::kBool, {}, {1})}, 1, &out, true);
  EXPECT_EQ(s.code(), exec::kInvalidModel);
}

TEST(OpsLightShape, ConcatWithEmptyInputs) {
  std::vector<Tensor> r = Run1("Concat", 13, {AttrInt("axis", -1)},
                               {Iota({2, 1}), Tensor(DType::kFloat32, {2, 0}), Iota({2, 2})});
  EXPECT_EQ(r[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{0, 0, 1, 1, 2, 3}));
  std::vector<Tensor> out;
  EXPECT_EQ(RunOp("Concat", 13, {AttrInt("axis", 0)}, {Iota({2, 1}), Iota({2, 2})}, 1, &out).code(),
            exec::kInvalidModel);
}

}  // namespace
