// A node without an input its op requires (found by the model-loader fuzzer: GlobalAveragePool
// with no input read past the node's input list), or without the output its op makes (Resize
// with no output wrote past the node's output list), fails to load with 145000 naming the node.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "sim/tests/onnx_test_builder.h"

namespace {

using namespace onnxtest;

TEST(ExecutorMissingInput, ARequiredInputLeftOutFailsTheLoad) {
  for (const char *op : {"GlobalAveragePool", "Relu", "Conv", "MatMul", "Reshape", "Resize", "Gather"}) {
    ModelBuilder b;
    b.opset = 13;
    b.UntypedOutput("out0");
    b.AddNode(Node(op, {}, {"out0"}, {}, "bad"));
    std::unique_ptr<aclsim::exec::Executable> e;
    aclsim::exec::Status s = Load(b.Build(), &e);
    EXPECT_FALSE(s.ok()) << op;
    EXPECT_EQ(s.code(), aclsim::exec::kInvalidModel) << op << ": " << s.message();
    EXPECT_NE(s.message().find("bad"), std::string::npos) << s.message();
  }
}

TEST(ExecutorMissingInput, ANodeWithoutItsOutputFailsTheLoad) {
  for (const char *op : {"Resize", "Relu", "Shape", "MatMul"}) {
    ModelBuilder b;
    b.opset = 13;
    b.Input("x", aclsim::exec::DType::kFloat32, {1, 1, 2, 2});
    b.Initializer(FloatTensor("scales", {4}, {1, 1, 2, 2}));
    b.UntypedOutput("y");
    // The op's node writes nothing the graph can see; a second node makes the graph's output.
    const std::string name = op;
    std::vector<std::string> inputs = {"x"};
    if (name == "Resize") inputs = {"x", "", "scales"};
    if (name == "MatMul") inputs = {"x", "x"};
    b.AddNode(Node(op, inputs, {}, {}, "bad"));
    b.AddNode(Node("Relu", {"x"}, {"y"}, {}, "fine"));
    std::unique_ptr<aclsim::exec::Executable> e;
    aclsim::exec::Status s = Load(b.Build(), &e);
    EXPECT_FALSE(s.ok()) << op;
    EXPECT_EQ(s.code(), aclsim::exec::kInvalidModel) << op << ": " << s.message();
    EXPECT_NE(s.message().find("bad"), std::string::npos) << s.message();
  }
}

}  // namespace
