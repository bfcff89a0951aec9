// Helpers for the tests of the compute-heavy kernels (kernels_*_test.cc, ops_heavy_*_test.cc):
// build a node, run its registered kernel's Init/Infer/Run directly on tensors, compare with
// naive references, and repeat over every instruction set the machine has.
#ifndef ASCENDCL_SIM_TESTS_OPS_HEAVY_TEST_UTIL_H_
#define ASCENDCL_SIM_TESTS_OPS_HEAVY_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/float16.h"
#include "sim/executor/cpu.h"
#include "sim/executor/op.h"
#include "sim/executor/tensor.h"
#include "sim/executor/thread_pool.h"

namespace heavytest {

using aclsim::exec::Attribute;
using aclsim::exec::DType;
using aclsim::exec::Isa;
using aclsim::exec::Kernel;
using aclsim::exec::NodeDef;
using aclsim::exec::Shape;
using aclsim::exec::Status;
using aclsim::exec::Tensor;
using aclsim::exec::ThreadPool;
using aclsim::exec::ValueInfo;

// Runs fn once per instruction set this CPU supports (scalar, avx2, avx512 as available), with
// that set active, and restores the previous one.
inline void ForEachIsa(const std::function<void(Isa)> &fn) {
  const Isa saved = aclsim::exec::ActiveIsa();
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    if (static_cast<int>(isa) > static_cast<int>(aclsim::exec::BestIsa())) break;
    aclsim::exec::SetActiveIsa(isa);
    SCOPED_TRACE(std::string("isa ") + aclsim::exec::IsaName(isa));
    fn(isa);
  }
  aclsim::exec::SetActiveIsa(saved);
}

inline Tensor FloatTensor(const Shape &shape, const std::vector<float> &values) {
  Tensor t(DType::kFloat32, shape);
  EXPECT_EQ(static_cast<size_t>(t.elements()), values.size());
  if (!values.empty()) std::memcpy(t.raw(), values.data(), values.size() * sizeof(float));
  return t;
}

template <typename T>
Tensor TypedTensor(DType type, const Shape &shape, const std::vector<T> &values) {
  Tensor t(type, shape);
  EXPECT_EQ(static_cast<size_t>(t.elements()), values.size());
  if (!values.empty()) std::memcpy(t.raw(), values.data(), values.size() * sizeof(T));
  return t;
}

inline Tensor Int64Tensor(const Shape &shape, const std::vector<int64_t> &values) {
  return TypedTensor<int64_t>(DType::kInt64, shape, values);
}

inline std::vector<float> RandomFloats(size_t n, uint32_t seed, float low = -1.0f, float high = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(low, high);
  std::vector<float> out(n);
  for (float &v : out) v = dist(rng);
  return out;
}

inline Tensor RandomTensor(const Shape &shape, uint32_t seed, float low = -1.0f, float high = 1.0f) {
  return FloatTensor(shape, RandomFloats(static_cast<size_t>(aclsim::exec::ElementCount(shape)), seed, low, high));
}

inline std::vector<float> Values(const Tensor &t) {
  if (t.dtype() == DType::kFloat16) {
    std::vector<float> out(static_cast<size_t>(t.elements()));
    for (size_t i = 0; i < out.size(); ++i) out[i] = ascendcl::HalfToFloat(t.data<uint16_t>()[i]);
    return out;
  }
  return std::vector<float>(t.data<float>(), t.data<float>() + t.elements());
}

inline Tensor ToHalf(const Tensor &t) {
  Tensor h(DType::kFloat16, t.shape());
  ascendcl::FloatsToHalves(t.data<float>(), h.data<uint16_t>(), static_cast<size_t>(t.elements()));
  return h;
}

// |got − want| <= atol + rtol·|want| for every element, naming the first few that are not.
inline void ExpectClose(const std::vector<float> &got, const std::vector<double> &want, double rtol = 1e-4,
                        double atol = 1e-5) {
  ASSERT_EQ(got.size(), want.size());
  int reported = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double diff = std::fabs(static_cast<double>(got[i]) - want[i]);
    if (!(diff <= atol + rtol * std::fabs(want[i])) && reported++ < 5) {
      ADD_FAILURE() << "element " << i << ": got " << got[i] << ", want " << want[i];
    }
  }
}

// A node of one op, and its kernel from the registry. Failures are annotated with the node's
// description, as the graph engine does.
class OpHarness {
 public:
  OpHarness(const std::string &op, int opset, size_t inputs, size_t outputs = 1) {
    node_.name = "test_" + op;
    node_.op_type = op;
    node_.opset = opset;
    node_.input_present.assign(inputs, true);
    node_.num_outputs = outputs;
    node_.output_present.assign(outputs, true);
  }
  OpHarness &Absent(size_t input) {
    node_.input_present[input] = false;
    return *this;
  }
  OpHarness &Int(const std::string &name, int64_t v) {
    return Set(name, Attribute::Kind::kInt, [&](Attribute &a) { a.i = v; });
  }
  OpHarness &Float(const std::string &name, float v) {
    return Set(name, Attribute::Kind::kFloat, [&](Attribute &a) { a.f = v; });
  }
  OpHarness &String(const std::string &name, const std::string &v) {
    return Set(name, Attribute::Kind::kString, [&](Attribute &a) { a.s = v; });
  }
  OpHarness &Ints(const std::string &name, const std::vector<int64_t> &v) {
    return Set(name, Attribute::Kind::kInts, [&](Attribute &a) { a.ints = v; });
  }
  const NodeDef &node() const { return node_; }

  // Init with `constants` (one per input, nullptr for non-constant).
  Status Init(const std::vector<const Tensor *> &constants = {}) {
    const aclsim::exec::OpDef *def = aclsim::exec::FindOp(node_.op_type, node_.opset);
    if (def == nullptr) return Status::Error(aclsim::exec::kInvalidModel, "no kernel for " + node_.op_type);
    kernel_ = def->make();
    std::vector<const Tensor *> padded = constants;
    padded.resize(node_.input_present.size(), nullptr);
    return kernel_->Init(node_, padded).Annotate(node_.Describe());
  }

  Status Infer(const std::vector<ValueInfo> &inputs, std::vector<ValueInfo> *outputs) {
    std::vector<const ValueInfo *> pointers;
    for (size_t i = 0; i < inputs.size(); ++i) pointers.push_back(node_.input_present[i] ? &inputs[i] : nullptr);
    outputs->assign(node_.num_outputs, ValueInfo());
    aclsim::exec::InferContext ctx(node_, pointers, outputs);
    return kernel_->Infer(ctx).Annotate(node_.Describe());
  }

  // Runs on `inputs` (nullptr for absent ones); outputs are resized to the node's count.
  Status Run(const std::vector<const Tensor *> &inputs, std::vector<Tensor> *outputs, ThreadPool &pool) {
    outputs->assign(node_.num_outputs, Tensor());
    aclsim::exec::RunContext ctx(node_, inputs, outputs, pool);
    return kernel_->Run(ctx).Annotate(node_.Describe());
  }

  // Init without constants, then Run; the first output, or a failed test.
  Tensor InitAndRun(const std::vector<const Tensor *> &inputs, ThreadPool &pool) {
    Status status = Init();
    EXPECT_TRUE(status.ok()) << status.message();
    std::vector<Tensor> outputs;
    status = Run(inputs, &outputs, pool);
    EXPECT_TRUE(status.ok()) << status.message();
    return outputs.empty() ? Tensor() : outputs[0];
  }

 private:
  template <typename F>
  OpHarness &Set(const std::string &name, Attribute::Kind kind, F fill) {
    Attribute a;
    a.kind = kind;
    fill(a);
    node_.attributes.Set(name, std::move(a));
    return *this;
  }

  NodeDef node_;
  std::unique_ptr<Kernel> kernel_;
};

inline ValueInfo Known(DType type, const Shape &shape) {
  ValueInfo v;
  v.dtype = type;
  v.rank_known = true;
  v.shape = shape;
  return v;
}

}  // namespace heavytest

#endif  // ASCENDCL_SIM_TESTS_OPS_HEAVY_TEST_UTIL_H_
