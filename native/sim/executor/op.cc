#include "sim/executor/op.h"

#include <mutex>

namespace aclsim::exec {
namespace {

struct Registry {
  std::mutex mutex;
  std::vector<OpDef> ops;
};

Registry &TheRegistry() {
  static Registry *registry = new Registry();  // never destroyed: registrars run at load time
  return *registry;
}

}  // namespace

const Attribute *Attributes::Find(const std::string &name) const {
  auto found = values_.find(name);
  return found == values_.end() ? nullptr : &found->second;
}

int64_t Attributes::Int(const std::string &name, int64_t fallback) const {
  const Attribute *a = Find(name);
  return a != nullptr && a->kind == Attribute::Kind::kInt ? a->i : fallback;
}

float Attributes::Float(const std::string &name, float fallback) const {
  const Attribute *a = Find(name);
  return a != nullptr && a->kind == Attribute::Kind::kFloat ? a->f : fallback;
}

std::string Attributes::String(const std::string &name, const std::string &fallback) const {
  const Attribute *a = Find(name);
  return a != nullptr && a->kind == Attribute::Kind::kString ? a->s : fallback;
}

std::vector<int64_t> Attributes::Ints(const std::string &name) const {
  const Attribute *a = Find(name);
  return a != nullptr && a->kind == Attribute::Kind::kInts ? a->ints : std::vector<int64_t>();
}

std::vector<float> Attributes::Floats(const std::string &name) const {
  const Attribute *a = Find(name);
  return a != nullptr && a->kind == Attribute::Kind::kFloats ? a->floats : std::vector<float>();
}

const Tensor *Attributes::TensorValue(const std::string &name) const {
  const Attribute *a = Find(name);
  return a != nullptr && a->kind == Attribute::Kind::kTensor ? &a->t : nullptr;
}

std::string NodeDef::Describe() const {
  return "node '" + name + "' (" + (domain.empty() ? "" : domain + ".") + op_type + ", opset " +
         std::to_string(opset) + ")";
}

Status RunContext::Allocate(size_t i, DType type, Shape shape, Tensor **out) {
  if (i >= outputs_->size()) return InternalError("%s has no output %zu", node_.Describe().c_str(), i);
  Status status = Tensor::Allocate(type, std::move(shape), &(*outputs_)[i]);
  if (!status.ok()) return status.Annotate(node_.Describe());
  *out = &(*outputs_)[i];
  return Status::Ok();
}

OpRegistrar::OpRegistrar(const char *op_type, int min_opset, int max_opset, KernelFactory make) {
  Registry &registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  registry.ops.push_back(OpDef{op_type, min_opset, max_opset, make});
}

const OpDef *FindOp(std::string_view op_type, int opset) {
  Registry &registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  for (const OpDef &op : registry.ops) {
    if (op.op_type == op_type && opset >= op.min_opset && opset <= op.max_opset) return &op;
  }
  return nullptr;
}

std::vector<const OpDef *> RegisteredOps() {
  Registry &registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  std::vector<const OpDef *> out;
  for (const OpDef &op : registry.ops) out.push_back(&op);
  return out;
}

}  // namespace aclsim::exec
