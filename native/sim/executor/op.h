// The interface between the graph engine and the operator kernels.
//
// A kernel object is made once per node at load (Init), describes its outputs from its inputs
// (Infer: at load, and when the model layer asks for the output dims of given input shapes),
// and computes (Run: const and reentrant, since concurrent runs share it). Kernels register
// themselves by op type and the opset range they implement; a node whose op or opset has no
// kernel makes the load fail with a message naming the node, the op and the opset.
#ifndef ASCENDCL_SIM_EXECUTOR_OP_H_
#define ASCENDCL_SIM_EXECUTOR_OP_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/executor/cpu.h"
#include "sim/executor/status.h"
#include "sim/executor/tensor.h"
#include "sim/executor/thread_pool.h"

namespace aclsim::exec {

// One ONNX attribute, already decoded. Graph-valued attributes are not supported by any kernel
// in our op set; a node carrying one is still loadable if its kernel ignores it.
struct Attribute {
  enum class Kind { kFloat, kInt, kString, kTensor, kGraph, kFloats, kInts, kStrings, kTensors, kGraphs, kOther };
  Kind kind = Kind::kOther;
  float f = 0;
  int64_t i = 0;
  std::string s;
  Tensor t;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<Tensor> tensors;
};

class Attributes {
 public:
  void Set(const std::string &name, Attribute value) { values_[name] = std::move(value); }
  bool Has(const std::string &name) const { return values_.count(name) != 0; }
  const Attribute *Find(const std::string &name) const;
  // Typed reads with a fallback for an absent attribute. A present attribute of another kind
  // also yields the fallback; kernels that must reject it check Find()->kind.
  int64_t Int(const std::string &name, int64_t fallback) const;
  float Float(const std::string &name, float fallback) const;
  std::string String(const std::string &name, const std::string &fallback) const;
  std::vector<int64_t> Ints(const std::string &name) const;    // empty when absent
  std::vector<float> Floats(const std::string &name) const;    // empty when absent
  const Tensor *TensorValue(const std::string &name) const;    // nullptr when absent
  const std::map<std::string, Attribute> &all() const { return values_; }

 private:
  std::map<std::string, Attribute> values_;
};

struct NodeDef {
  std::string name;     // may be empty in ONNX; messages then use the first output's name
  std::string op_type;
  std::string domain;   // "" for the default ONNX domain
  int opset = 0;        // the model's opset for that domain
  Attributes attributes;
  std::vector<bool> input_present;   // one per input slot as written ("" = absent optional input)
  size_t num_outputs = 0;
  std::vector<bool> output_present;  // one per output slot: false for "" (an output nobody wants)
  std::string Describe() const;      // "node 'conv1' (Conv, opset 13)"
};

// What the graph knows about a value before it runs: the element type, the shape (a dim of -1
// is unknown; rank_known false means even the rank is unknown), and the value itself when it is
// a constant (an initializer, or folded at load).
struct ValueInfo {
  DType dtype = DType::kUndefined;
  bool rank_known = false;
  Shape shape;
  std::shared_ptr<const Tensor> value;
};

class InferContext {
 public:
  InferContext(const NodeDef &node, std::vector<const ValueInfo *> inputs, std::vector<ValueInfo> *outputs)
      : node_(node), inputs_(std::move(inputs)), outputs_(outputs) {}
  const NodeDef &node() const { return node_; }
  size_t num_inputs() const { return inputs_.size(); }
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i] != nullptr; }
  // Kernels check has_input for optional inputs; a required input a hostile model left out reads
  // as unknown here and is reported by the engine after Infer (missing_input), so no kernel can
  // read past the node's input list (found by the model-loader fuzzer).
  const ValueInfo &input(size_t i) const {
    if (has_input(i)) return *inputs_[i];
    if (missing_input_ < 0) missing_input_ = static_cast<int>(i);
    static const ValueInfo kAbsent;
    return kAbsent;
  }
  int missing_input() const { return missing_input_; }  // the first absent input read, or -1
  size_t num_outputs() const { return outputs_->size(); }
  // Likewise an output: a node a hostile model wrote with fewer outputs than its op makes (none
  // at all) gets a scratch value to describe, and the engine reports missing_output after Infer
  // (found by the model-loader fuzzer: Resize with no output wrote past the node's output list).
  ValueInfo &output(size_t i) {
    if (i < outputs_->size()) return (*outputs_)[i];
    if (missing_output_ < 0) missing_output_ = static_cast<int>(i);
    scratch_ = ValueInfo();
    return scratch_;
  }
  int missing_output() const { return missing_output_; }  // the first absent output written, or -1

 private:
  const NodeDef &node_;
  std::vector<const ValueInfo *> inputs_;
  std::vector<ValueInfo> *outputs_;
  mutable int missing_input_ = -1;
  int missing_output_ = -1;
  ValueInfo scratch_;
};

class RunContext {
 public:
  RunContext(const NodeDef &node, std::vector<const Tensor *> inputs, std::vector<Tensor> *outputs, ThreadPool &pool)
      : node_(node), inputs_(std::move(inputs)), outputs_(outputs), pool_(pool), isa_(ActiveIsa()) {}
  const NodeDef &node() const { return node_; }
  size_t num_inputs() const { return inputs_.size(); }
  // nullptr for an absent optional input.
  const Tensor *input(size_t i) const { return i < inputs_.size() ? inputs_[i] : nullptr; }
  size_t num_outputs() const { return outputs_->size(); }
  // Allocate output i; *out points into the run's output slot.
  Status Allocate(size_t i, DType type, Shape shape, Tensor **out);
  // Set output i to an existing tensor (a reshaped view of an input, a constant). Only ever an
  // input itself or its Reshaped(): never a Tensor::View into an input's bytes, which would not
  // keep them alive once the engine releases that input.
  // Past the node's outputs it does nothing: load-time inference already refused such a node.
  void SetOutput(size_t i, Tensor tensor) {
    if (i < outputs_->size()) (*outputs_)[i] = std::move(tensor);
  }
  // Whether output i is wanted: false when the node left its name empty ("" = optional output
  // not used), so kernels may skip computing it.
  bool output_wanted(size_t i) const {
    return i < node_.output_present.size() ? node_.output_present[i] : i < outputs_->size();
  }
  ThreadPool &pool() const { return pool_; }
  Isa isa() const { return isa_; }

 private:
  const NodeDef &node_;
  std::vector<const Tensor *> inputs_;
  std::vector<Tensor> *outputs_;
  ThreadPool &pool_;
  Isa isa_;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  // Once at load. `constants[i]` is input i's value when it is constant, else nullptr. Check
  // attributes here (an unsupported mode or value → InvalidModel naming it) and precompute.
  virtual Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) { return Status::Ok(); }
  virtual Status Infer(InferContext &ctx) const = 0;
  virtual Status Run(RunContext &ctx) const = 0;
  // False for kernels whose outputs must not be computed at load even when every input is
  // constant (random ops, or outputs that are too big to fold).
  virtual bool Foldable() const { return true; }
  // Asked at load (before Init) by the fusion pass (fusion.h): apply max(0, y) to output 0 as
  // part of this node, so that the Relu reading it can be dropped. True when the kernel will.
  virtual bool FuseRelu() { return false; }
};

using KernelFactory = std::unique_ptr<Kernel> (*)();

struct OpDef {
  std::string op_type;
  int min_opset;  // inclusive range of opsets this kernel implements
  int max_opset;
  KernelFactory make;
};

// The kernel for `op_type` in the default domain at `opset`, or nullptr.
const OpDef *FindOp(std::string_view op_type, int opset);
// Every registered op (for messages and tests).
std::vector<const OpDef *> RegisteredOps();

struct OpRegistrar {
  OpRegistrar(const char *op_type, int min_opset, int max_opset, KernelFactory make);
};

template <typename K>
std::unique_ptr<Kernel> MakeKernel() {
  return std::make_unique<K>();
}

#define ACLSIM_OP_CONCAT_INNER(a, b) a##b
#define ACLSIM_OP_CONCAT(a, b) ACLSIM_OP_CONCAT_INNER(a, b)
// ACLSIM_REGISTER_OP("Conv", 1, 22, ConvKernel) at namespace scope in a kernel's .cc file.
#define ACLSIM_REGISTER_OP(op_type, min_opset, max_opset, ...)                                       \
  static const ::aclsim::exec::OpRegistrar ACLSIM_OP_CONCAT(aclsim_op_registrar_, __COUNTER__)( \
      op_type, min_opset, max_opset, &::aclsim::exec::MakeKernel<__VA_ARGS__>)

}  // namespace aclsim::exec

#endif  // ASCENDCL_SIM_EXECUTOR_OP_H_
