// Whole models from files (native/sim/tests/models/executor, written by make_executor_models.py
// with numpy references): a dynamic-batch attention-like graph over int64 tokens, weights in an
// external data file, float16 in and out.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <string>

#include "common/float16.h"
#include "sim/executor/executable.h"
#include "sim/executor/thread_pool.h"
#include "sim/onnx/onnx_reader.h"

namespace {

using aclsim::exec::DType;
using aclsim::exec::Executable;
using aclsim::exec::IoInfo;
using aclsim::exec::Shape;
using aclsim::exec::Status;
using aclsim::exec::Tensor;
namespace exec = aclsim::exec;

std::string ModelsDir() {
  std::string file = __FILE__;
  return file.substr(0, file.rfind('/')) + "/models/executor";
}

std::string ReadFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Status LoadDir(const std::string &name, std::unique_ptr<Executable> *out, bool from_memory = false) {
  const std::string dir = ModelsDir() + "/" + name;
  const std::string bytes = ReadFile(dir + "/model.onnx");
  exec::LoadOptions options;
  if (!from_memory) options.base_dir = dir;
  return Executable::Load(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(), options, out);
}

Tensor ReadPb(const std::string &path) {
  const std::string bytes = ReadFile(path);
  aclsim::onnx::TensorProto proto;
  Status s = aclsim::onnx::ReadTensor(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(),
                                      aclsim::onnx::ReadOptions{}, &proto);
  EXPECT_TRUE(s.ok()) << s.message();
  return proto.value;
}

double Element(const Tensor &t, int64_t i) {
  switch (t.dtype()) {
    case DType::kFloat32: return t.data<float>()[i];
    case DType::kFloat16: return ascendcl::HalfToFloat(t.data<uint16_t>()[i]);
    default: return NAN;
  }
}

// Runs test_data_set_<set> and compares like ONNX's backend tests (rtol 1e-3, atol 1e-7), and
// tighter (1e-5) where the reference is exact float32 arithmetic.
void ExpectDataSet(const Executable &e, const std::string &name, int set, double rtol = 1e-3) {
  const std::string dir = ModelsDir() + "/" + name + "/test_data_set_" + std::to_string(set);
  std::vector<Tensor> inputs = {ReadPb(dir + "/input_0.pb")};
  Tensor expected = ReadPb(dir + "/output_0.pb");
  exec::ThreadPool pool(2);
  std::vector<Tensor> outputs;
  Status s = e.Run(inputs, &outputs, pool);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(outputs.size(), 1u);
  ASSERT_EQ(outputs[0].dtype(), expected.dtype());
  ASSERT_EQ(outputs[0].shape(), expected.shape());
  for (int64_t i = 0; i < expected.elements(); ++i) {
    const double got = Element(outputs[0], i), want = Element(expected, i);
    ASSERT_LE(std::fabs(got - want), 1e-7 + rtol * std::fabs(want)) << name << " element " << i;
  }
}

TEST(ExecutorModels, AttentionLikeWithSymbolicBatch) {
  std::unique_ptr<Executable> e;
  Status s = LoadDir("attention_like", &e);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(e->inputs().size(), 1u);
  EXPECT_EQ(e->inputs()[0].dtype, DType::kInt64);
  EXPECT_EQ(e->inputs()[0].dims, (Shape{-1, 4}));
  EXPECT_EQ(e->outputs()[0].dims, (Shape{-1, 32}));
  std::vector<IoInfo> outputs;
  ASSERT_TRUE(e->InferOutputs({{7, 4}}, &outputs).ok());
  EXPECT_EQ(outputs[0].dims, (Shape{7, 32}));
  ExpectDataSet(*e, "attention_like", 0, 1e-5);
  ExpectDataSet(*e, "attention_like", 1, 1e-5);
}

TEST(ExecutorModels, ExternalWeights) {
  std::unique_ptr<Executable> e;
  Status s = LoadDir("external_weights", &e);
  ASSERT_TRUE(s.ok()) << s.message();
  ExpectDataSet(*e, "external_weights", 0, 1e-6);
  s = LoadDir("external_weights", &e, /*from_memory=*/true);
  EXPECT_EQ(s.code(), exec::kInvalidModel);
  EXPECT_NE(s.message().find("external file 'weights.bin'"), std::string::npos) << s.message();
}

TEST(ExecutorModels, Float16InAndOut) {
  std::unique_ptr<Executable> e;
  Status s = LoadDir("float16_io", &e);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(e->inputs()[0].dtype, DType::kFloat16);
  EXPECT_EQ(e->outputs()[0].dtype, DType::kFloat16);
  ExpectDataSet(*e, "float16_io", 0);
}

}  // namespace
