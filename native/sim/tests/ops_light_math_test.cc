// Light elementwise and reduction kernels: what ONNX's own tests do not pin down — broadcasting
// against a naive reference on many shapes (and on tensors big enough to run in parallel),
// integer wraparound, rounding rules, casts, quantization, ties, precision of long sums.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "common/float16.h"
#include "sim/executor/ops/op_util.h"
#include "sim/tests/ops_light_test_util.h"

namespace {

using aclsim::exec::DType;
using aclsim::exec::Shape;
using aclsim::exec::Status;
using aclsim::exec::Tensor;
using namespace onnxtest;
namespace exec = aclsim::exec;

Tensor RandomFloats(const Shape &shape, std::mt19937 &random) {
  Tensor t(DType::kFloat32, shape);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  for (int64_t i = 0; i < t.elements(); ++i) t.data<float>()[i] = dist(random);
  return t;
}

// Naive broadcasting: the element of `t` at output index `index` of shape `out`.
float At(const Tensor &t, const Shape &out, const std::vector<int64_t> &index) {
  int64_t offset = 0, stride = 1;
  for (size_t d = t.rank(); d-- > 0;) {
    const int64_t i = index[out.size() - t.rank() + d];
    offset += (t.dim(d) == 1 ? 0 : i) * stride;
    stride *= t.dim(d);
  }
  return t.data<float>()[offset];
}

TEST(OpsLightMath, BroadcastingMatchesANaiveReference) {
  std::mt19937 random(7);
  const int64_t dims[] = {1, 2, 3, 5};
  for (int round = 0; round < 300; ++round) {
    const size_t rank = 1 + random() % 4;
    Shape out(rank), a, b;
    for (size_t d = 0; d < rank; ++d) out[d] = dims[random() % 4];
    const size_t rank_a = 1 + random() % rank, rank_b = 1 + random() % rank;
    for (size_t d = rank - rank_a; d < rank; ++d) a.push_back(random() % 3 == 0 ? 1 : out[d]);
    for (size_t d = rank - rank_b; d < rank; ++d) b.push_back(random() % 3 == 0 ? 1 : out[d]);
    Tensor ta = RandomFloats(a, random), tb = RandomFloats(b, random);
    std::vector<Tensor> r = Run1("Sub", 14, {}, {ta, tb});
    Shape expected_shape;
    ASSERT_TRUE(exec::ops::BroadcastShapes({&a, &b}, &expected_shape).ok());
    ASSERT_EQ(r[0].shape(), expected_shape);
    std::vector<int64_t> index(expected_shape.size(), 0);
    for (int64_t i = 0; i < r[0].elements(); ++i) {
      ASSERT_EQ(r[0].data<float>()[i], At(ta, expected_shape, index) - At(tb, expected_shape, index));
      for (size_t d = index.size(); d-- > 0;) {
        if (++index[d] < expected_shape[d]) break;
        index[d] = 0;
      }
    }
  }
}

// An empty operand whose other dims multiply past int64 (a legal empty tensor of
// [0, 2^40, 2^40, 98]): broadcasting it must visit nothing, not compute strides that overflow
// (found by the model-loader fuzzer: UBSan, signed overflow in MakeBroadcastPlan). The overflow
// only shows under UBSan: this test guards it in `npm run test:asan`, which CI runs.
TEST(OpsLightMath, BroadcastingAnEmptyTensorWithHugeDims) {
  const Shape huge = {0, int64_t{1} << 40, int64_t{1} << 40, 98};
  Tensor empty(DType::kFloat32, huge);
  ASSERT_EQ(empty.elements(), 0);
  for (const char *op : {"Mul", "Pow"}) {
    std::vector<Tensor> r = Run1(op, 15, {}, {Floats({1}, {2.0f}), empty});
    EXPECT_EQ(r[0].shape(), huge) << op;
    EXPECT_EQ(r[0].elements(), 0) << op;
  }
  std::vector<Tensor> r = Run1("Expand", 13, {}, {Floats({1}, {2.0f}), Int64s({4}, huge)});
  EXPECT_EQ(r[0].shape(), huge);
}

TEST(OpsLightMath, LargeTensorsRunInParallelChunks) {
  std::mt19937 random(3);
  Tensor a = RandomFloats({300, 1001}, random);
  Tensor row = RandomFloats({1001}, random);
  Tensor column = RandomFloats({300, 1}, random);
  std::vector<Tensor> r = Run1("Mul", 14, {}, {a, row});
  for (int64_t i = 0; i < a.elements(); ++i) ASSERT_EQ(r[0].data<float>()[i], a.data<float>()[i] * row.data<float>()[i % 1001]);
  r = Run1("Add", 14, {}, {column, a});
  for (int64_t i = 0; i < a.elements(); ++i) {
    ASSERT_EQ(r[0].data<float>()[i], column.data<float>()[i / 1001] + a.data<float>()[i]);
  }
  r = Run1("Exp", 13, {}, {a});
  for (int64_t i = 0; i < a.elements(); ++i) ASSERT_EQ(r[0].data<float>()[i], std::exp(a.data<float>()[i]));
}

TEST(OpsLightMath, IntegerArithmeticWraps) {
  const int32_t max32 = std::numeric_limits<int32_t>::max(), min32 = std::numeric_limits<int32_t>::min();
  auto i32 = [](std::vector<int32_t> v) { return MakeTensor(DType::kInt32, {static_cast<int64_t>(v.size())}, v); };
  EXPECT_EQ(Values<int32_t>(Run1("Add", 14, {}, {i32({max32, 1}), i32({1, 1})})[0]), (std::vector<int32_t>{min32, 2}));
  EXPECT_EQ(Values<int32_t>(Run1("Mul", 14, {}, {i32({max32}), i32({2})})[0]), (std::vector<int32_t>{-2}));
  EXPECT_EQ(Values<int32_t>(Run1("Div", 14, {}, {i32({min32, 7, -7}), i32({-1, 2, 2})})[0]),
            (std::vector<int32_t>{min32, 3, -3}));
  EXPECT_EQ(Values<int32_t>(Run1("Neg", 13, {}, {i32({min32, 5})})[0]), (std::vector<int32_t>{min32, -5}));
  EXPECT_EQ(Values<int32_t>(Run1("Abs", 13, {}, {i32({min32, -5})})[0]), (std::vector<int32_t>{min32, 5}));
  auto u16 = MakeTensor<uint16_t>(DType::kUint16, {1}, {65535});
  EXPECT_EQ(Values<uint16_t>(Run1("Mul", 14, {}, {u16, u16})[0]), (std::vector<uint16_t>{1}));
  std::vector<Tensor> r;
  Status s = RunOp("Div", 14, {}, {i32({1}), i32({0})}, 1, &r);
  EXPECT_EQ(s.message(), "node 'op' (Div, opset 14): integer division by zero");
}

TEST(OpsLightMath, PowOfIntegersAndMixedTypes) {
  auto i64 = [](std::vector<int64_t> v) { return Int64s({static_cast<int64_t>(v.size())}, v); };
  EXPECT_EQ(Values<int64_t>(Run1("Pow", 15, {}, {i64({2, 3, -2, 1, -1, 2}), i64({62, 3, 3, -5, -3, -1})})[0]),
            (std::vector<int64_t>{int64_t{1} << 62, 27, -8, 1, -1, 0}));
  EXPECT_EQ(Values<float>(Run1("Pow", 15, {}, {Floats({2}, {2, 9}), i64({3, -1})})[0]), (std::vector<float>{8, 1.0f / 9}));
  EXPECT_EQ(Values<int32_t>(
                Run1("Pow", 15, {}, {MakeTensor<int32_t>(DType::kInt32, {2}, {2, 3}), Floats({2}, {0.5f, 2})})[0]),
            (std::vector<int32_t>{1, 9}));
}

TEST(OpsLightMath, RoundHalfToEven) {
  std::vector<Tensor> r = Run1("Round", 11, {}, {Floats({8}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4999f, -2.5f, 3.5f})});
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{0, 2, 2, -0.0f, -2, 2, -2, 4}));
}

TEST(OpsLightMath, CastRules) {
  Proto to_u8 = AttrInt("to", 2), to_i8 = AttrInt("to", 3), to_i64 = AttrInt("to", 7), to_bool = AttrInt("to", 9);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(Values<uint8_t>(Run1("Cast", 13, {to_u8}, {Floats({4}, {300, -1, 2.9f, nan})})[0]),
            (std::vector<uint8_t>{44, 255, 2, 0}));
  EXPECT_EQ(Values<int8_t>(Run1("Cast", 13, {to_i8}, {Floats({2}, {-2.9f, 129})})[0]), (std::vector<int8_t>{-2, -127}));
  EXPECT_EQ(Values<int64_t>(Run1("Cast", 13, {to_i64}, {Floats({3}, {1e20f, -1e20f, nan})})[0]),
            (std::vector<int64_t>{std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(), 0}));
  EXPECT_EQ(Values<uint8_t>(Run1("Cast", 13, {to_bool}, {Floats({3}, {0, -0.5f, nan})})[0]),
            (std::vector<uint8_t>{0, 1, 1}));
  EXPECT_EQ(Values<float>(Run1("Cast", 13, {AttrInt("to", 1)},
                               {MakeTensor<uint8_t>(DType::kBool, {2}, {1, 0})})[0]),
            (std::vector<float>{1, 0}));
  // double -> float16 rounds once: 1 + 2^-11 + 2^-40 is just above the halfway point between
  // 1 and 1 + 2^-10, so it rounds up (rounding through float first would give 1.0).
  const double tricky = 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40);
  std::vector<Tensor> r = Run1("Cast", 13, {AttrInt("to", 10)}, {MakeTensor<double>(DType::kFloat64, {2}, {tricky, 65520.0})});
  EXPECT_EQ(ascendcl::HalfToFloat(r[0].data<uint16_t>()[0]), 1.0f + std::ldexp(1.0f, -10));
  EXPECT_TRUE(std::isinf(ascendcl::HalfToFloat(r[0].data<uint16_t>()[1])));
  // Cast-1 names the type.
  EXPECT_EQ(Values<int32_t>(Run1("Cast", 1, {AttrString("to", "INT32")}, {Floats({1}, {-3.7f})})[0]),
            (std::vector<int32_t>{-3}));
  // Casting to string is refused at load.
  std::vector<Tensor> out;
  EXPECT_EQ(RunOp("Cast", 13, {AttrInt("to", 8)}, {Floats({1}, {1})}, 1, &out).code(), exec::kInvalidModel);
}

TEST(OpsLightMath, QuantizeRoundsHalfToEvenAndSaturates) {
  Tensor x = Floats({6}, {0.5f, 1.5f, 2.5f, -0.5f, 300, -300});
  Tensor scale = Floats({}, {1});
  std::vector<Tensor> r = Run1("QuantizeLinear", 13, {}, {x, scale, MakeTensor<uint8_t>(DType::kUint8, {}, {0})});
  EXPECT_EQ(Values<uint8_t>(r[0]), (std::vector<uint8_t>{0, 2, 2, 0, 255, 0}));
  r = Run1("QuantizeLinear", 13, {}, {x, scale, MakeTensor<int8_t>(DType::kInt8, {}, {1})});
  EXPECT_EQ(Values<int8_t>(r[0]), (std::vector<int8_t>{1, 3, 3, 1, 127, -128}));
  r = Run1("QuantizeLinear", 13, {}, {x, scale});  // no zero point: uint8
  EXPECT_EQ(r[0].dtype(), DType::kUint8);
  // Per axis: scale and zero point along axis 1.
  Tensor x2 = Floats({2, 3}, {1, 2, 3, 4, 5, 6});
  r = Run1("QuantizeLinear", 13, {AttrInt("axis", 1)},
           {x2, Floats({3}, {1, 2, 4}), MakeTensor<uint8_t>(DType::kUint8, {3}, {10, 20, 30})});
  EXPECT_EQ(Values<uint8_t>(r[0]), (std::vector<uint8_t>{11, 21, 31, 14, 22, 32}));
  r = Run1("DequantizeLinear", 13, {AttrInt("axis", 1)},
           {r[0], Floats({3}, {1, 2, 4}), MakeTensor<uint8_t>(DType::kUint8, {3}, {10, 20, 30})});
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{1, 2, 4, 4, 4, 8}));
}

TEST(OpsLightMath, TopKKeepsTiesInIndexOrder) {
  Proto k_attr = AttrInt("axis", 0);
  std::vector<Tensor> r = Run1("TopK", 11, {}, {Floats({5}, {3, 1, 3, 2, 3}), Int64s({1}, {2})}, 2);
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{3, 3}));
  EXPECT_EQ(Values<int64_t>(r[1]), (std::vector<int64_t>{0, 2}));
  r = Run1("TopK", 11, {AttrInt("largest", 0)}, {Floats({5}, {2, 1, 3, 1, 0}), Int64s({1}, {3})}, 2);
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{0, 1, 1}));
  EXPECT_EQ(Values<int64_t>(r[1]), (std::vector<int64_t>{4, 1, 3}));
  // Along axis 0 of a matrix.
  r = Run1("TopK", 11, {k_attr}, {Floats({3, 2}, {1, 6, 5, 2, 3, 4}), Int64s({1}, {1})}, 2);
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{5, 6}));
  EXPECT_EQ(Values<int64_t>(r[1]), (std::vector<int64_t>{1, 0}));
  std::vector<Tensor> out;
  EXPECT_EQ(RunOp("TopK", 11, {}, {Floats({2}, {1, 2}), Int64s({1}, {3})}, 2, &out).code(), exec::kShapeInvalid);
}

TEST(OpsLightMath, ArgMaxFirstOrLastOfTies) {
  Tensor x = Floats({2, 3}, {1, 5, 5, 7, 7, 2});
  EXPECT_EQ(Values<int64_t>(Run1("ArgMax", 13, {AttrInt("axis", 1)}, {x})[0]), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(Values<int64_t>(Run1("ArgMax", 13, {AttrInt("axis", 1), AttrInt("select_last_index", 1)}, {x})[0]),
            (std::vector<int64_t>{2, 1}));
  std::vector<Tensor> r = Run1("ArgMax", 13, {AttrInt("axis", 0), AttrInt("keepdims", 0)}, {x});
  EXPECT_EQ(r[0].shape(), (Shape{3}));
}

TEST(OpsLightMath, ReductionsOverAnyAxes) {
  std::mt19937 random(11);
  Tensor x = RandomFloats({3, 4, 5, 6}, random);
  // Axes 0 and 2 are not adjacent: the general path.
  std::vector<Tensor> r = Run1("ReduceSum", 13, {AttrInt("keepdims", 0)}, {x, Int64s({2}, {0, -2})});
  ASSERT_EQ(r[0].shape(), (Shape{4, 6}));
  for (int64_t j = 0; j < 4; ++j) {
    for (int64_t l = 0; l < 6; ++l) {
      double sum = 0;
      for (int64_t i = 0; i < 3; ++i) {
        for (int64_t k = 0; k < 5; ++k) sum += x.data<float>()[((i * 4 + j) * 5 + k) * 6 + l];
      }
      EXPECT_NEAR(r[0].data<float>()[j * 6 + l], sum, 1e-5);
    }
  }
  r = Run1("ReduceMax", 13, {AttrInts("axes", {1, 3})}, {x});
  EXPECT_EQ(r[0].shape(), (Shape{3, 1, 5, 1}));
  // Empty axes: everything, or nothing with noop_with_empty_axes.
  r = Run1("ReduceSum", 13, {}, {x, Int64s({0}, {})});
  EXPECT_EQ(r[0].shape(), (Shape{1, 1, 1, 1}));
  r = Run1("ReduceSum", 13, {AttrInt("noop_with_empty_axes", 1)}, {x, Int64s({0}, {})});
  EXPECT_EQ(r[0].shape(), x.shape());
  // Opset 18: axes as an input for ReduceMean too.
  r = Run1("ReduceMean", 18, {AttrInt("keepdims", 0)}, {Floats({2, 2}, {1, 2, 3, 5}), Int64s({1}, {1})});
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{1.5f, 4.0f}));
}

TEST(OpsLightMath, LongSumsDoNotDrift) {
  // A million values of 0.1: a float accumulator drifts by ~1%, a double one is exact to float.
  Tensor x(DType::kFloat32, {1000000});
  for (int64_t i = 0; i < x.elements(); ++i) x.data<float>()[i] = 0.1f;
  std::vector<Tensor> r = Run1("ReduceSum", 13, {AttrInt("keepdims", 0)}, {x});
  EXPECT_EQ(r[0].data<float>()[0], static_cast<float>(1000000 * static_cast<double>(0.1f)));
  r = Run1("ReduceMean", 13, {AttrInt("keepdims", 0)}, {x});
  EXPECT_EQ(r[0].data<float>()[0], 0.1f);
}

TEST(OpsLightMath, SoftmaxFlattensBeforeOpset13) {
  Tensor x = Floats({2, 2}, {0, 0, 0, std::log(3.0f)});
  // Opset 11, axis 0: all four values form one row.
  std::vector<Tensor> r = Run1("Softmax", 11, {AttrInt("axis", 0)}, {x});
  EXPECT_NEAR(r[0].data<float>()[3], 0.5f, 1e-6);
  // Opset 13, axis 0: each column on its own.
  r = Run1("Softmax", 13, {AttrInt("axis", 0)}, {x});
  EXPECT_NEAR(r[0].data<float>()[0], 0.5f, 1e-6);
  EXPECT_NEAR(r[0].data<float>()[3], 0.75f, 1e-6);
  r = Run1("LogSoftmax", 13, {}, {Floats({2}, {1000, 1000})});
  EXPECT_NEAR(r[0].data<float>()[0], -std::log(2.0f), 1e-6);
}

TEST(OpsLightMath, ClipBoundsAsAttributesOrInputs) {
  EXPECT_EQ(Values<float>(Run1("Clip", 6, {AttrFloat("min", -1), AttrFloat("max", 1)}, {Floats({3}, {-5, 0.5f, 5})})[0]),
            (std::vector<float>{-1, 0.5f, 1}));
  EXPECT_EQ(Values<float>(Run1("Clip", 13, {}, {Floats({3}, {-5, 0.5f, 5}), Tensor(), Floats({}, {2})})[0]),
            (std::vector<float>{-5, 0.5f, 2}));
  auto i8 = [](std::vector<int8_t> v) { return MakeTensor(DType::kInt8, {static_cast<int64_t>(v.size())}, v); };
  EXPECT_EQ(Values<int8_t>(Run1("Clip", 13, {}, {i8({-128, 0, 127}), MakeTensor<int8_t>(DType::kInt8, {}, {-3})})[0]),
            (std::vector<int8_t>{-3, 0, 127}));
}

TEST(OpsLightMath, Float16IsComputedInFloat32) {
  auto half = [](std::vector<float> v) {
    Tensor t(DType::kFloat16, {static_cast<int64_t>(v.size())});
    for (size_t i = 0; i < v.size(); ++i) t.data<uint16_t>()[i] = ascendcl::FloatToHalf(v[i]);
    return t;
  };
  std::vector<Tensor> r = Run1("Add", 14, {}, {half({1, 2048, 0.5f}), half({0.25f, 1, 0.25f})});
  ASSERT_EQ(r[0].dtype(), DType::kFloat16);
  EXPECT_EQ(ascendcl::HalfToFloat(r[0].data<uint16_t>()[0]), 1.25f);
  EXPECT_EQ(ascendcl::HalfToFloat(r[0].data<uint16_t>()[1]), 2048.0f);  // 2049 rounds to even
  r = Run1("Sigmoid", 13, {}, {half({0})});
  EXPECT_EQ(ascendcl::HalfToFloat(r[0].data<uint16_t>()[0]), 0.5f);
  r = Run1("Less", 13, {}, {half({1, 3}), half({2, 2})});
  EXPECT_EQ(Values<uint8_t>(r[0]), (std::vector<uint8_t>{1, 0}));
}

TEST(OpsLightMath, GeluBothForms) {
  Tensor x = Floats({3}, {-1, 0.5f, 2});
  std::vector<Tensor> exact = Run1("Gelu", 20, {}, {x});
  std::vector<Tensor> tanh = Run1("Gelu", 20, {AttrString("approximate", "tanh")}, {x});
  for (int i = 0; i < 3; ++i) {
    const double v = x.data<float>()[i];
    EXPECT_NEAR(exact[0].data<float>()[i], 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))), 1e-6);
    EXPECT_NEAR(tanh[0].data<float>()[i],
                0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))), 1e-6);
  }
}

TEST(OpsLightMath, LegacyBroadcastAttribute) {
  // Opset 6: B of shape [3] aligned at axis 1 of A [2, 3, 2].
  Tensor a = Floats({2, 3, 2}, std::vector<float>(12, 1));
  std::vector<Tensor> r = Run1("Add", 6, {AttrInt("broadcast", 1), AttrInt("axis", 1)}, {a, Floats({3}, {0, 10, 20})});
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{1, 1, 11, 11, 21, 21, 1, 1, 11, 11, 21, 21}));
  std::vector<Tensor> out;
  EXPECT_EQ(RunOp("Add", 6, {}, {a, Floats({3}, {0, 10, 20})}, 1, &out).code(), exec::kInvalidModel);
}

TEST(OpsLightMath, ComparisonsAndLogic) {
  std::vector<Tensor> r = Run1("Where", 16, {},
                               {MakeTensor<uint8_t>(DType::kBool, {2, 1}, {1, 0}), Floats({1, 3}, {1, 2, 3}),
                                Floats({}, {-1})});
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{1, 2, 3, -1, -1, -1}));
  r = Run1("Equal", 13, {}, {MakeTensor<uint8_t>(DType::kBool, {2}, {1, 0}), MakeTensor<uint8_t>(DType::kBool, {}, {0})});
  EXPECT_EQ(Values<uint8_t>(r[0]), (std::vector<uint8_t>{0, 1}));
  r = Run1("Not", 1, {}, {MakeTensor<uint8_t>(DType::kBool, {2}, {1, 0})});
  EXPECT_EQ(Values<uint8_t>(r[0]), (std::vector<uint8_t>{0, 1}));
  r = Run1("Greater", 13, {}, {Int64s({3}, {1, 5, 3}), Int64s({1}, {3})});
  EXPECT_EQ(Values<uint8_t>(r[0]), (std::vector<uint8_t>{0, 1, 0}));
}

TEST(OpsLightMath, VariadicOps) {
  std::vector<Tensor> r = Run1("Mean", 13, {}, {Floats({2}, {1, 2}), Floats({1}, {3}), Floats({2, 1}, {5, 8})});
  EXPECT_EQ(r[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(Values<float>(r[0]), (std::vector<float>{3, 10.0f / 3, 4, 13.0f / 3}));
  r = Run1("Max", 13, {}, {Int64s({3}, {1, 9, 3})});
  EXPECT_EQ(Values<int64_t>(r[0]), (std::vector<int64_t>{1, 9, 3}));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  r = Run1("Min", 13, {}, {Floats({2}, {nan, 1}), Floats({2}, {0, nan})});
  EXPECT_TRUE(std::isnan(r[0].data<float>()[0]));
  EXPECT_TRUE(std::isnan(r[0].data<float>()[1]));
}

TEST(OpsLightMath, FoldedAtLoadGivesTheSameResults) {
  // The same node with constant inputs runs once at load; results must not differ.
  std::mt19937 random(5);
  Tensor a = RandomFloats({4, 7}, random), b = RandomFloats({7}, random);
  std::vector<Tensor> folded, run;
  ASSERT_TRUE(RunOp("Div", 14, {}, {a, b}, 1, &folded, /*constant_inputs=*/true).ok());
  ASSERT_TRUE(RunOp("Div", 14, {}, {a, b}, 1, &run).ok());
  EXPECT_EQ(Values<float>(folded[0]), Values<float>(run[0]));
}

}  // namespace
