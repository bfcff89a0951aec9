// Shared by the light-op tests: run one node and expect it to load and run.
#ifndef ASCENDCL_SIM_TESTS_OPS_LIGHT_TEST_UTIL_H_
#define ASCENDCL_SIM_TESTS_OPS_LIGHT_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/tests/onnx_test_builder.h"

namespace onnxtest {

inline std::vector<aclsim::exec::Tensor> Run1(const std::string &op, int64_t opset,
                                              const std::vector<Proto> &attributes,
                                              const std::vector<aclsim::exec::Tensor> &inputs, size_t outputs = 1) {
  std::vector<aclsim::exec::Tensor> results;
  aclsim::exec::Status s = RunOp(op, opset, attributes, inputs, outputs, &results);
  EXPECT_TRUE(s.ok()) << op << ": " << s.message();
  return results;
}

}  // namespace onnxtest

#endif  // ASCENDCL_SIM_TESTS_OPS_LIGHT_TEST_UTIL_H_
