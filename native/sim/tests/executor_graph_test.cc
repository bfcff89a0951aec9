// The graph engine behind Executable: graph checks and their messages, constant folding,
// inference with unknown dims, InferOutputs, input checks, outputs, concurrent runs.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <thread>

#include "sim/executor/executable.h"
#include "sim/executor/op.h"
#include "sim/executor/thread_pool.h"
#include "sim/tests/onnx_test_builder.h"

namespace {

using aclsim::exec::DType;
using aclsim::exec::Executable;
using aclsim::exec::IoInfo;
using aclsim::exec::Shape;
using aclsim::exec::Status;
using aclsim::exec::Tensor;
using aclsim::exec::ThreadPool;
using namespace onnxtest;
namespace exec = aclsim::exec;

std::unique_ptr<Executable> MustLoad(const ModelBuilder &b) {
  std::unique_ptr<Executable> e;
  Status s = Load(b.Build(), &e);
  EXPECT_TRUE(s.ok()) << s.message();
  return e;
}

Status LoadStatus(const ModelBuilder &b) {
  std::unique_ptr<Executable> e;
  return Load(b.Build(), &e);
}

TEST(ExecutorGraph, RunsASmallGraph) {
  ModelBuilder b;
  b.Input("x", DType::kFloat32, {2, 2});
  b.Output("y", DType::kFloat32, {2, 2});
  b.Initializer(FloatTensor("w", {2}, {10, 20}));
  b.AddNode(Node("Add", {"x", "w"}, {"t"}));
  b.AddNode(Node("Relu", {"t"}, {"y"}));
  auto e = MustLoad(b);
  ThreadPool pool(2);
  std::vector<Tensor> out;
  ASSERT_TRUE(e->Run({Floats({2, 2}, {-30, 1, 2, -40})}, &out, pool).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Values<float>(out[0]), (std::vector<float>{0, 21, 12, 0}));
}

TEST(ExecutorGraph, SortsNodesGivenOutOfOrder) {
  ModelBuilder b;
  b.Input("x", DType::kFloat32, {1});
  b.Output("y", DType::kFloat32, {1});
  b.AddNode(Node("Neg", {"t"}, {"y"}));
  b.AddNode(Node("Abs", {"x"}, {"t"}));
  auto e = MustLoad(b);
  ThreadPool pool(1);
  std::vector<Tensor> out;
  ASSERT_TRUE(e->Run({Floats({1}, {-3})}, &out, pool).ok());
  EXPECT_EQ(out[0].data<float>()[0], -3.0f);
}

TEST(ExecutorGraph, RejectsCyclesUndefinedInputsAndDoubleWrites) {
  {
    ModelBuilder b;
    b.Input("x", DType::kFloat32, {1});
    b.Output("y", DType::kFloat32, {1});
    b.AddNode(Node("Add", {"x", "b"}, {"a"}, {}, "first"));
    b.AddNode(Node("Neg", {"a"}, {"b"}, {}, "second"));
    b.AddNode(Node("Neg", {"a"}, {"y"}));
    Status s = LoadStatus(b);
    EXPECT_EQ(s.code(), exec::kInvalidModel);
    EXPECT_NE(s.message().find("the graph has a cycle: node 'first' (Add, opset 13)"), std::string::npos)
        << s.message();
  }
  {
    ModelBuilder b;
    b.Input("x", DType::kFloat32, {1});
    b.Output("y", DType::kFloat32, {1});
    b.AddNode(Node("Add", {"x", "nowhere"}, {"y"}, {}, "adder"));
    Status s = LoadStatus(b);
    EXPECT_EQ(s.message(),
              "node 'adder' (Add, opset 13) reads 'nowhere', which is not a graph input, an initializer or any "
              "node's output");
  }
  {
    ModelBuilder b;
    b.Input("x", DType::kFloat32, {1});
    b.Output("y", DType::kFloat32, {1});
    b.AddNode(Node("Neg", {"x"}, {"y"}, {}, "one"));
    b.AddNode(Node("Abs", {"x"}, {"y"}, {}, "two"));
    Status s = LoadStatus(b);
    EXPECT_NE(s.message().find("value 'y' is written twice"), std::string::npos) << s.message();
  }
  {
    ModelBuilder b;
    b.Input("x", DType::kFloat32, {1});
    b.Output("missing", DType::kFloat32, {1});
    b.AddNode(Node("Neg", {"x"}, {"y"}));
    EXPECT_NE(LoadStatus(b).message().find("graph output 'missing'"), std::string::npos);
  }
}

TEST(ExecutorGraph, NamesUnsupportedOps) {
  ModelBuilder b;
  b.Input("x", DType::kFloat32, {1});
  b.Output("y", DType::kFloat32, {1});
  b.AddNode(Node("FooOp", {"x"}, {"y"}, {}, "attn/mul"));
  Status s = LoadStatus(b);
  EXPECT_EQ(s.code(), exec::kInvalidModel);
  EXPECT_EQ(s.message().rfind("node 'attn/mul' (FooOp, opset 13) is not supported by the simulator; supported ops: ", 0),
            0u)
      << s.message();
  EXPECT_NE(s.message().find("Relu"), std::string::npos);

  ModelBuilder custom;
  custom.Input("x", DType::kFloat32, {1});
  custom.Output("y", DType::kFloat32, {1});
  custom.AddNode(Node("Relu", {"x"}, {"y"}, {}, "", "com.example"));
  s = LoadStatus(custom);
  EXPECT_NE(s.message().find("node 'y' (com.example.Relu, opset 13) is not supported"), std::string::npos)
      << s.message();

  // An op that exists, at an opset before it was defined.
  ModelBuilder old;
  old.opset = 13;
  old.Input("x", DType::kFloat32, {1});
  old.Output("y", DType::kFloat32, {1});
  old.AddNode(Node("Gelu", {"x"}, {"y"}));
  EXPECT_NE(LoadStatus(old).message().find("(Gelu, opset 13) is not supported"), std::string::npos);
}

TEST(ExecutorGraph, RequiresTheDefaultOpset) {
  ModelBuilder b;
  b.Input("x", DType::kFloat32, {1});
  b.Output("x", DType::kFloat32, {1});
  Proto m;
  m.Varint(1, 8).Message(8, Proto().Bytes(1, "com.example").Varint(2, 1)).Bytes(7, b.Graph());
  std::unique_ptr<Executable> e;
  Status s = Load(m.bytes(), &e);
  EXPECT_EQ(s.code(), exec::kInvalidModel);
  EXPECT_NE(s.message().find("imports no opset for the default ONNX domain"), std::string::npos);
}

TEST(ExecutorGraph, RejectsNonTensorInputsAndUnsupportedTypes) {
  ModelBuilder b;
  b.inputs.push_back(Proto().Bytes(1, "seq").Message(2, Proto().Message(4, Proto())));
  b.Output("seq", DType::kFloat32, {1});
  EXPECT_NE(LoadStatus(b).message().find("graph input 'seq' is a sequence"), std::string::npos);
  ModelBuilder s;
  s.Input("str", DType::kString, {1});
  s.Output("str", DType::kString, {1});
  EXPECT_NE(LoadStatus(s).message().find("graph input 'str' has element type 8 (string)"), std::string::npos);
}

// Shape -> Gather -> Unsqueeze -> Concat -> Reshape: with a static input, shape arithmetic folds
// and the output shape is static; with a symbolic batch it is not, until InferOutputs.
ModelBuilder ShapeArithmetic(int64_t batch) {
  ModelBuilder b;
  b.Input("x", DType::kFloat32, {batch, 3, 4});
  b.UntypedOutput("y");
  b.Initializer(Int64Tensor("zero", {}, {0}));
  b.Initializer(Int64Tensor("minus_one", {1}, {-1}));
  b.Initializer(Int64Tensor("axes0", {1}, {0}));
  b.AddNode(Node("Shape", {"x"}, {"shape"}));
  b.AddNode(Node("Gather", {"shape", "zero"}, {"batch"}));
  b.AddNode(Node("Unsqueeze", {"batch", "axes0"}, {"batch1"}));
  b.AddNode(Node("Concat", {"batch1", "minus_one"}, {"target"}, {AttrInt("axis", 0)}));
  b.AddNode(Node("Reshape", {"x", "target"}, {"y"}));
  return b;
}

TEST(ExecutorGraph, FoldsShapeArithmeticForStaticInputs) {
  auto e = MustLoad(ShapeArithmetic(2));
  ASSERT_EQ(e->outputs().size(), 1u);
  EXPECT_EQ(e->outputs()[0].dtype, DType::kFloat32);
  EXPECT_EQ(e->outputs()[0].dims, (Shape{2, 12}));
  ThreadPool pool(1);
  std::vector<Tensor> out;
  std::vector<float> data(24);
  for (int i = 0; i < 24; ++i) data[i] = static_cast<float>(i);
  ASSERT_TRUE(e->Run({Floats({2, 3, 4}, data)}, &out, pool).ok());
  EXPECT_EQ(out[0].shape(), (Shape{2, 12}));
  EXPECT_EQ(Values<float>(out[0]), data);
}

TEST(ExecutorGraph, InfersUnknownDimsAndReinfersForGivenShapes) {
  auto e = MustLoad(ShapeArithmetic(-1));
  ASSERT_EQ(e->inputs().size(), 1u);
  EXPECT_EQ(e->inputs()[0].dims, (Shape{-1, 3, 4}));
  EXPECT_EQ(e->outputs()[0].dims, (Shape{-1, -1}));
  std::vector<IoInfo> outputs;
  Status s = e->InferOutputs({{5, 3, 4}}, &outputs);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(outputs[0].dims, (Shape{5, 12}));
  EXPECT_EQ(outputs[0].dtype, DType::kFloat32);
  // A dim that contradicts the declaration is the caller's error.
  s = e->InferOutputs({{5, 4, 4}}, &outputs);
  EXPECT_EQ(s.code(), exec::kShapeInvalid);
  EXPECT_EQ(s.message(), "input 0 ('x') expects shape [-1, 3, 4], given [5, 4, 4]");
  EXPECT_EQ(e->InferOutputs({}, &outputs).code(), exec::kShapeInvalid);
  // Running with any batch works.
  ThreadPool pool(1);
  std::vector<Tensor> out;
  ASSERT_TRUE(e->Run({Floats({3, 3, 4}, std::vector<float>(36, 1.0f))}, &out, pool).ok());
  EXPECT_EQ(out[0].shape(), (Shape{3, 12}));
}

TEST(ExecutorGraph, FoldsConstantSubgraphs) {
  // (c1 + c2) * x where c1 + c2 is computed once at load; a Size of a static input is a
  // constant too.
  ModelBuilder b;
  b.Input("x", DType::kFloat32, {3});
  b.UntypedOutput("y");
  b.UntypedOutput("n");
  b.Initializer(FloatTensor("c1", {3}, {1, 2, 3}));
  b.Initializer(FloatTensor("c2", {3}, {10, 20, 30}));
  b.AddNode(Node("Add", {"c1", "c2"}, {"c"}));
  b.AddNode(Node("Mul", {"c", "x"}, {"y"}));
  b.AddNode(Node("Size", {"x"}, {"n"}));
  auto e = MustLoad(b);
  EXPECT_EQ(e->outputs()[1].dtype, DType::kInt64);
  EXPECT_EQ(e->outputs()[1].dims, Shape{});
  ThreadPool pool(1);
  std::vector<Tensor> out;
  ASSERT_TRUE(e->Run({Floats({3}, {1, 2, 3})}, &out, pool).ok());
  EXPECT_EQ(Values<float>(out[0]), (std::vector<float>{11, 44, 99}));
  EXPECT_EQ(out[1].data<int64_t>()[0], 3);
}

// Test-only kernels that count their runs: the identity, foldable or not.
std::atomic<int> g_counted_runs{0};

template <bool kFoldable>
class CountingKernel final : public exec::Kernel {
 public:
  Status Infer(exec::InferContext &ctx) const override {
    ctx.output(0).dtype = ctx.input(0).dtype;
    ctx.output(0).rank_known = ctx.input(0).rank_known;
    ctx.output(0).shape = ctx.input(0).shape;
    return Status::Ok();
  }
  Status Run(exec::RunContext &ctx) const override {
    ++g_counted_runs;
    ctx.SetOutput(0, *ctx.input(0));
    return Status::Ok();
  }
  bool Foldable() const override { return kFoldable; }
};
ACLSIM_REGISTER_OP("TestCountFoldable", 1, 100, CountingKernel<true>);
ACLSIM_REGISTER_OP("TestCountUnfoldable", 1, 100, CountingKernel<false>);

TEST(ExecutorGraph, FoldedNodesRunOnceAtLoadAndNeverAgain) {
  for (bool foldable : {true, false}) {
    ModelBuilder b;
    b.Input("x", DType::kFloat32, {2});
    b.Output("y", DType::kFloat32, {2});
    b.Initializer(FloatTensor("c", {2}, {1, 2}));
    b.AddNode(Node(foldable ? "TestCountFoldable" : "TestCountUnfoldable", {"c"}, {"k"}));
    b.AddNode(Node("Add", {"k", "x"}, {"y"}));
    g_counted_runs = 0;
    auto e = MustLoad(b);
    EXPECT_EQ(g_counted_runs.load(), foldable ? 1 : 0);
    ThreadPool pool(1);
    std::vector<Tensor> out;
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(e->Run({Floats({2}, {10, 20})}, &out, pool).ok());
    EXPECT_EQ(Values<float>(out[0]), (std::vector<float>{11, 22}));
    EXPECT_EQ(g_counted_runs.load(), foldable ? 1 : 3);
  }
}

TEST(ExecutorGraph, NodesNobodyNeedsDoNotRun) {
  ModelBuilder b;
  b.Input("x", DType::kFloat32, {2});
  b.Output("y", DType::kFloat32, {2});
  b.AddNode(Node("TestCountUnfoldable", {"x"}, {"unused"}));
  b.AddNode(Node("Neg", {"x"}, {"y"}));
  auto e = MustLoad(b);
  g_counted_runs = 0;
  ThreadPool pool(1);
  std::vector<Tensor> out;
  ASSERT_TRUE(e->Run({Floats({2}, {1, 2})}, &out, pool).ok());
  EXPECT_EQ(g_counted_runs.load(), 0);
}

TEST(ExecutorGraph, ChecksRunInputs) {
  ModelBuilder b;
  b.Input("tokens", DType::kInt64, {-1, 4});
  b.Output("y", DType::kInt64, {-1, 4});
  b.AddNode(Node("Neg", {"tokens"}, {"y"}));
  auto e = MustLoad(b);
  ThreadPool pool(1);
  std::vector<Tensor> out;
  Status s = e->Run({}, &out, pool);
  EXPECT_EQ(s.code(), exec::kShapeInvalid);
  EXPECT_EQ(s.message(), "the model has 1 input(s), given 0");
  s = e->Run({Floats({1, 4}, {1, 2, 3, 4})}, &out, pool);
  EXPECT_EQ(s.code(), exec::kDataTypeInvalid);
  EXPECT_EQ(s.message(), "input 0 ('tokens') expects int64, given float32");
  s = e->Run({Int64s({1, 3}, {1, 2, 3})}, &out, pool);
  EXPECT_EQ(s.code(), exec::kShapeInvalid);
  EXPECT_EQ(s.message(), "input 0 ('tokens') expects shape [-1, 4], given [1, 3]");
  s = e->Run({Int64s({4}, {1, 2, 3, 4})}, &out, pool);
  EXPECT_EQ(s.code(), exec::kShapeInvalid);
  ASSERT_TRUE(e->Run({Int64s({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})}, &out, pool).ok());
  EXPECT_EQ(Values<int64_t>(out[0]), (std::vector<int64_t>{-1, -2, -3, -4, -5, -6, -7, -8}));
}

TEST(ExecutorGraph, OutputsThatAreInputsOrConstantsAreCopies) {
  ModelBuilder b;
  b.Input("x", DType::kFloat32, {2});
  b.Output("x", DType::kFloat32, {2});
  b.Output("w", DType::kFloat32, {2});
  b.Output("r", DType::kFloat32, {2, 1});
  b.Initializer(FloatTensor("w", {2}, {5, 6}));
  b.Initializer(Int64Tensor("shape", {2}, {2, 1}));
  b.AddNode(Node("Reshape", {"w", "shape"}, {"r"}));  // folded: shares the initializer's bytes
  auto e = MustLoad(b);
  EXPECT_EQ(e->inputs().size(), 1u);  // initializers are not inputs
  ThreadPool pool(1);
  std::vector<Tensor> out;
  Tensor x = Floats({2}, {1, 2});
  ASSERT_TRUE(e->Run({x}, &out, pool).ok());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_NE(out[0].raw(), x.raw());
  EXPECT_EQ(Values<float>(out[0]), (std::vector<float>{1, 2}));
  for (Tensor &t : out) {
    EXPECT_TRUE(t.exclusively_owned());
    t.data<float>()[0] = -100;  // the caller may write its outputs
  }
  ASSERT_TRUE(e->Run({x}, &out, pool).ok());
  EXPECT_EQ(Values<float>(out[1]), (std::vector<float>{5, 6}));
  EXPECT_EQ(Values<float>(out[2]), (std::vector<float>{5, 6}));
  EXPECT_EQ(x.data<float>()[0], 1.0f);
}

TEST(ExecutorGraph, InitializerShadowsInputOfTheSameName) {
  ModelBuilder b;
  b.Input("x", DType::kFloat32, {1});
  b.Input("bias", DType::kFloat32, {1});
  b.Output("y", DType::kFloat32, {1});
  b.Initializer(FloatTensor("bias", {1}, {0.5f}));
  b.AddNode(Node("Add", {"x", "bias"}, {"y"}));
  auto e = MustLoad(b);
  ASSERT_EQ(e->inputs().size(), 1u);
  EXPECT_EQ(e->inputs()[0].name, "x");
}

TEST(ExecutorGraph, KernelErrorsNameTheNode) {
  ModelBuilder b;
  b.Input("a", DType::kInt32, {2});
  b.Input("b", DType::kInt32, {2});
  b.Output("y", DType::kInt32, {2});
  b.AddNode(Node("Div", {"a", "b"}, {"y"}, {}, "divide"));
  auto e = MustLoad(b);
  ThreadPool pool(1);
  std::vector<Tensor> out;
  Status s = e->Run({MakeTensor<int32_t>(DType::kInt32, {2}, {1, 2}), MakeTensor<int32_t>(DType::kInt32, {2}, {1, 0})},
                    &out, pool);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "node 'divide' (Div, opset 13): integer division by zero");
}

TEST(ExecutorGraph, IncompatibleStaticShapesFailAtLoad) {
  ModelBuilder b;
  b.Input("a", DType::kFloat32, {2, 3});
  b.Input("b", DType::kFloat32, {4});
  b.UntypedOutput("y");
  b.AddNode(Node("Add", {"a", "b"}, {"y"}, {}, "add"));
  Status s = LoadStatus(b);
  EXPECT_EQ(s.code(), exec::kInvalidModel);
  EXPECT_NE(s.message().find("node 'add' (Add, opset 13): shapes cannot be broadcast"), std::string::npos)
      << s.message();
}

TEST(ExecutorGraph, DeclaredOutputTypeMustMatch) {
  ModelBuilder b;
  b.Input("x", DType::kFloat32, {1});
  b.Output("y", DType::kInt64, {1});
  b.AddNode(Node("Relu", {"x"}, {"y"}));
  EXPECT_NE(LoadStatus(b).message().find("graph output 'y' is declared int64, but the graph computes float32"),
            std::string::npos);
}

TEST(ExecutorGraph, DeclarationsFillWhatInferenceCannot) {
  // Reshape to a shape computed at run time: inference knows only the rank; the graph output's
  // declaration supplies the rest.
  ModelBuilder b;
  b.Input("x", DType::kFloat32, {6});
  b.Input("shape", DType::kInt64, {2});
  b.Output("y", DType::kFloat32, {-1, 3});
  b.AddNode(Node("Reshape", {"x", "shape"}, {"y"}));
  auto e = MustLoad(b);
  EXPECT_EQ(e->outputs()[0].dims, (Shape{-1, 3}));
}

TEST(ExecutorGraph, ActivationBytesIsThePeakOfLiveIntermediates) {
  // x -> a -> b -> y: a and b (4 floats each) are alive together while b is computed.
  ModelBuilder b;
  b.Input("x", DType::kFloat32, {-1});
  b.UntypedOutput("y");
  b.AddNode(Node("Neg", {"x"}, {"a"}));
  b.AddNode(Node("Neg", {"a"}, {"b"}));
  b.AddNode(Node("Neg", {"b"}, {"y"}));
  auto e = MustLoad(b);
  EXPECT_EQ(e->ActivationBytes({{4}}), 32u);
  EXPECT_EQ(e->ActivationBytes({{1000}}), 8000u);
  EXPECT_EQ(e->ActivationBytes({{-1}}), 0u);   // unknown: cannot tell
  EXPECT_EQ(e->ActivationBytes({{4, 4}}), 0u);  // not a shape the model takes
}

TEST(ExecutorGraph, ConcurrentRunsShareNothingMutable) {
  // A few nodes with intermediates released along the way, run from 4 threads on one pool.
  ModelBuilder b;
  b.Input("x", DType::kFloat32, {-1, 64});
  b.UntypedOutput("y");
  b.Initializer(FloatTensor("scale", {64}, std::vector<float>(64, 0.5f)));
  b.Initializer(Int64Tensor("axes", {1}, {1}));
  b.AddNode(Node("Mul", {"x", "scale"}, {"a"}));
  b.AddNode(Node("Exp", {"a"}, {"e"}));
  b.AddNode(Node("ReduceSum", {"e", "axes"}, {"s"}));
  b.AddNode(Node("Div", {"e", "s"}, {"y"}));
  auto e = MustLoad(b);
  ThreadPool pool(4);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int iteration = 0; iteration < 20; ++iteration) {
        const int64_t rows = 1 + (t + iteration) % 5;
        std::vector<float> data(static_cast<size_t>(rows * 64));
        for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<float>((i + t) % 7) * 0.1f;
        std::vector<Tensor> out;
        Status s = e->Run({Floats({rows, 64}, data)}, &out, pool);
        if (!s.ok() || out[0].shape() != Shape{rows, 64}) {
          ++failures;
          continue;
        }
        for (int64_t r = 0; r < rows; ++r) {
          double sum = 0;
          double expected_sum = 0;
          for (int64_t c = 0; c < 64; ++c) expected_sum += std::exp(data[r * 64 + c] * 0.5);
          for (int64_t c = 0; c < 64; ++c) {
            sum += out[0].data<float>()[r * 64 + c];
            const double expected = std::exp(data[r * 64 + c] * 0.5) / expected_sum;
            if (std::fabs(out[0].data<float>()[r * 64 + c] - expected) > 1e-6) ++failures;
          }
          if (std::fabs(sum - 1.0) > 1e-4) ++failures;
        }
      }
    });
  }
  for (std::thread &t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
