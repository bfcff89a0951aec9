// A node without an input its op requires (found by the model-loader fuzzer: GlobalAveragePool
// with no input read past the node's input list) fails to load with 145000 naming the node.
#include <gtest/gtest.h>

#include <memory>

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

}  // namespace
