// Executable::Load and the graph executable behind it: the run plan (the nodes left after
// folding, those whose outputs nobody needs dropped), when each intermediate value can be
// released, input checks, and Run.
#include "sim/executor/fusion.h"
#include "sim/executor/executable.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <new>

#include "sim/executor/graph.h"
#include "sim/executor/shape_inference.h"
#include "sim/onnx/onnx_reader.h"

namespace aclsim::exec {
namespace {

// Kernels may throw std::bad_alloc (small tensors made with the throwing constructor); nothing
// thrown may leave the executor.
template <typename F>
Status Guarded(const char *what, F &&body) {
  try {
    return body();
  } catch (const AllocationFailure &failure) {
    return failure.status().Annotate(std::string("while ") + what);
  } catch (const std::bad_alloc &) {
    return Status::Error(kOutOfMemory, std::string("out of host memory while ") + what);
  } catch (const std::exception &e) {
    return InternalError("unexpected exception while %s: %s", what, e.what());
  }
}

IoInfo ToIoInfo(const std::string &name, const ValueInfo &info) {
  IoInfo io;
  io.name = name;
  io.dtype = info.dtype;
  io.rank_known = info.rank_known;
  if (info.rank_known) io.dims = info.shape;
  return io;
}

std::string DimsText(const IoInfo &io) { return io.rank_known ? ShapeToString(io.dims) : "[unknown rank]"; }

class GraphExecutable final : public Executable {
 public:
  Status Prepare(onnx::ModelProto &model);

  const std::vector<IoInfo> &inputs() const override { return inputs_; }
  const std::vector<IoInfo> &outputs() const override { return outputs_; }
  Status InferOutputs(const std::vector<Shape> &input_shapes, std::vector<IoInfo> *outputs) const override;
  Status Run(const std::vector<Tensor> &inputs, std::vector<Tensor> *outputs, ThreadPool &pool) const override;
  uint64_t ActivationBytes(const std::vector<Shape> &input_shapes) const override;

 private:
  Status RunUnguarded(const std::vector<Tensor> &inputs, std::vector<Tensor> *outputs, ThreadPool &pool) const;
  Status InferUnguarded(const std::vector<Shape> &input_shapes, std::vector<IoInfo> *outputs) const;
  // Infos of every value for inputs of the given shapes (checked against the declarations).
  Status InferValues(const std::vector<Shape> &input_shapes, std::vector<ValueInfo> *infos) const;
  Status CheckOutputTypes() const;
  void PlanRun();
  Status CheckInputShape(size_t i, const Shape &shape) const;

  Graph graph_;
  std::vector<ValueInfo> infos_;  // after load-time inference and folding; constants hold their value
  std::vector<IoInfo> inputs_;
  std::vector<IoInfo> outputs_;
  std::vector<int> plan_;                    // indices of graph_.nodes to run, in order
  std::vector<std::vector<int>> release_;    // per plan step: values no later step reads
};

Status GraphExecutable::Prepare(onnx::ModelProto &model) {
  EXEC_RETURN_IF_ERROR(BuildGraph(model, &graph_));
  EXEC_RETURN_IF_ERROR(FuseForInference(&graph_));
  infos_.resize(graph_.values.size());
  for (const auto &[index, tensor] : graph_.initializers) {
    ValueInfo &info = infos_[index];
    info.dtype = tensor->dtype();
    info.rank_known = true;
    info.shape = tensor->shape();
    info.value = tensor;
  }
  for (int index : graph_.inputs) infos_[index] = graph_.values[index].declared;
  EXEC_RETURN_IF_ERROR(InitAndInfer(&graph_, &infos_));
  for (int index : graph_.inputs) inputs_.push_back(ToIoInfo(graph_.values[index].name, infos_[index]));
  for (int index : graph_.outputs) outputs_.push_back(ToIoInfo(graph_.values[index].name, infos_[index]));
  EXEC_RETURN_IF_ERROR(CheckOutputTypes());
  PlanRun();
  return Status::Ok();
}

Status GraphExecutable::CheckOutputTypes() const {
  for (size_t i = 0; i < graph_.outputs.size(); ++i) {
    const GraphValue &value = graph_.values[graph_.outputs[i]];
    const IoInfo &io = outputs_[i];
    if (!IsRunnable(io.dtype)) {
      return InvalidModel("cannot determine a supported element type for graph output '%s' (%s)", io.name.c_str(),
                          DTypeName(io.dtype));
    }
    if (value.has_declared && value.declared.dtype != DType::kUndefined && value.declared.dtype != io.dtype) {
      return InvalidModel("graph output '%s' is declared %s, but the graph computes %s", io.name.c_str(),
                          DTypeName(value.declared.dtype), DTypeName(io.dtype));
    }
  }
  return Status::Ok();
}

void GraphExecutable::PlanRun() {
  const size_t num_values = graph_.values.size();
  // Which nodes must run: backwards from the graph outputs, through values that are not constant.
  std::vector<bool> needed_value(num_values, false);
  std::vector<bool> needed_node(graph_.nodes.size(), false);
  for (int index : graph_.outputs) needed_value[index] = true;
  for (size_t n = graph_.nodes.size(); n-- > 0;) {
    const GraphNode &node = graph_.nodes[n];
    bool needed = false;
    for (int value : node.outputs) {
      if (value >= 0 && needed_value[value] && infos_[value].value == nullptr) needed = true;
    }
    if (!needed) continue;
    needed_node[n] = true;
    for (int value : node.inputs) {
      if (value >= 0) needed_value[value] = true;
    }
  }
  for (size_t n = 0; n < graph_.nodes.size(); ++n) {
    if (needed_node[n]) plan_.push_back(static_cast<int>(n));
  }
  // Last plan step that reads each run-time value; graph outputs are never released.
  std::vector<int> last_use(num_values, -1);
  for (size_t step = 0; step < plan_.size(); ++step) {
    const GraphNode &node = graph_.nodes[plan_[step]];
    for (int value : node.outputs) {
      if (value >= 0) last_use[value] = std::max(last_use[value], static_cast<int>(step));
    }
    for (int value : node.inputs) {
      if (value >= 0) last_use[value] = static_cast<int>(step);
    }
  }
  for (int index : graph_.outputs) last_use[index] = -1;
  release_.assign(plan_.size(), {});
  for (size_t value = 0; value < num_values; ++value) {
    if (last_use[value] >= 0 && infos_[value].value == nullptr && !graph_.values[value].is_input) {
      release_[last_use[value]].push_back(static_cast<int>(value));
    }
  }
}

Status GraphExecutable::CheckInputShape(size_t i, const Shape &shape) const {
  const IoInfo &io = inputs_[i];
  if (!io.rank_known) return Status::Ok();
  bool fits = shape.size() == io.dims.size();
  for (size_t d = 0; fits && d < shape.size(); ++d) {
    if (io.dims[d] >= 0 && shape[d] != io.dims[d]) fits = false;
  }
  if (fits) return Status::Ok();
  return ShapeError("input %zu ('%s') expects shape %s, given %s", i, io.name.c_str(), DimsText(io).c_str(),
                    ShapeToString(shape).c_str());
}

Status GraphExecutable::InferValues(const std::vector<Shape> &input_shapes, std::vector<ValueInfo> *infos) const {
  if (input_shapes.size() != inputs_.size()) {
    return ShapeError("the model has %zu input(s), given %zu shape(s)", inputs_.size(), input_shapes.size());
  }
  *infos = infos_;
  for (size_t i = 0; i < input_shapes.size(); ++i) {
    for (int64_t dim : input_shapes[i]) {
      if (dim < -1) {
        return ShapeError("input %zu ('%s'): dim %lld is invalid", i, inputs_[i].name.c_str(),
                          static_cast<long long>(dim));
      }
    }
    EXEC_RETURN_IF_ERROR(CheckInputShape(i, input_shapes[i]));
    ValueInfo &info = (*infos)[graph_.inputs[i]];
    info.rank_known = true;
    info.shape = input_shapes[i];
  }
  return Reinfer(graph_, infos);
}

Status GraphExecutable::InferUnguarded(const std::vector<Shape> &input_shapes,
                                       std::vector<IoInfo> *outputs) const {
  std::vector<ValueInfo> infos;
  EXEC_RETURN_IF_ERROR(InferValues(input_shapes, &infos));
  outputs->clear();
  for (size_t i = 0; i < graph_.outputs.size(); ++i) {
    outputs->push_back(ToIoInfo(outputs_[i].name, infos[graph_.outputs[i]]));
    if (outputs->back().dtype == DType::kUndefined) outputs->back().dtype = outputs_[i].dtype;
  }
  return Status::Ok();
}

Status GraphExecutable::Run(const std::vector<Tensor> &inputs, std::vector<Tensor> *outputs,
                            ThreadPool &pool) const {
  return Guarded("running the model", [&] { return RunUnguarded(inputs, outputs, pool); });
}

Status GraphExecutable::InferOutputs(const std::vector<Shape> &input_shapes, std::vector<IoInfo> *outputs) const {
  return Guarded("inferring output shapes", [&] { return InferUnguarded(input_shapes, outputs); });
}

// The peak, over the run plan, of the bytes of intermediate values alive at once (each node's
// inputs and outputs together; released after their last reader), which is what a run allocates
// besides its inputs, its outputs and the constants. Kernels' own scratch buffers are not
// counted. 0 when some intermediate's shape depends on input values.
uint64_t GraphExecutable::ActivationBytes(const std::vector<Shape> &input_shapes) const {
  std::vector<ValueInfo> infos;
  Status status = Guarded("estimating activation memory", [&] { return InferValues(input_shapes, &infos); });
  if (!status.ok()) return 0;
  std::vector<bool> is_output(graph_.values.size(), false);
  for (int index : graph_.outputs) is_output[index] = true;
  uint64_t live = 0, peak = 0;
  std::vector<uint64_t> bytes_of(graph_.values.size(), 0);
  for (size_t step = 0; step < plan_.size(); ++step) {
    for (int value : graph_.nodes[plan_[step]].outputs) {
      if (value < 0 || is_output[value] || infos_[value].value != nullptr) continue;
      const ValueInfo &info = infos[value];
      if (!info.rank_known || !IsKnown(info.shape) || DTypeSize(info.dtype) == 0) return 0;
      uint64_t bytes = DTypeSize(info.dtype);
      for (int64_t dim : info.shape) {
        if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(dim), &bytes)) return 0;
      }
      bytes_of[value] = bytes;
      live += bytes;
    }
    peak = std::max(peak, live);
    for (int value : release_[step]) live -= bytes_of[value];
  }
  return peak;
}

Status GraphExecutable::RunUnguarded(const std::vector<Tensor> &inputs, std::vector<Tensor> *outputs,
                                     ThreadPool &pool) const {
  if (inputs.size() != inputs_.size()) {
    return ShapeError("the model has %zu input(s), given %zu", inputs_.size(), inputs.size());
  }
  std::vector<Tensor> slots(graph_.values.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor &input = inputs[i];
    if (input.dtype() != inputs_[i].dtype) {
      return TypeError("input %zu ('%s') expects %s, given %s", i, inputs_[i].name.c_str(),
                       DTypeName(inputs_[i].dtype), DTypeName(input.dtype()));
    }
    EXEC_RETURN_IF_ERROR(CheckInputShape(i, input.shape()));
    if (input.elements() > 0 && input.raw() == nullptr) {
      return ShapeError("input %zu ('%s') has no data", i, inputs_[i].name.c_str());
    }
    slots[graph_.inputs[i]] = input;
  }

  for (size_t step = 0; step < plan_.size(); ++step) {
    const GraphNode &node = graph_.nodes[plan_[step]];
    std::vector<const Tensor *> node_inputs;
    node_inputs.reserve(node.inputs.size());
    for (int value : node.inputs) {
      if (value < 0) {
        node_inputs.push_back(nullptr);
      } else if (infos_[value].value != nullptr) {
        node_inputs.push_back(infos_[value].value.get());
      } else {
        if (!slots[value].defined()) {
          return InternalError("%s reads '%s' before it is computed", node.def.Describe().c_str(),
                               graph_.values[value].name.c_str());
        }
        node_inputs.push_back(&slots[value]);
      }
    }
    std::vector<Tensor> results(node.def.num_outputs);
    RunContext ctx(node.def, std::move(node_inputs), &results, pool);
    Status ran;
    try {
      ran = node.kernel->Run(ctx);
    } catch (const AllocationFailure &failure) {  // a tensor made with the throwing constructor
      ran = failure.status();
    }
    EXEC_RETURN_IF_ERROR(ran.Annotate(node.def.Describe()));
    for (size_t k = 0; k < results.size(); ++k) {
      const int value = node.outputs[k];
      if (value < 0) continue;
      if (!results[k].defined()) {
        return InternalError("%s produced no output %zu ('%s')", node.def.Describe().c_str(), k,
                             graph_.values[value].name.c_str());
      }
      slots[value] = std::move(results[k]);
    }
    for (int value : release_[step]) slots[value] = Tensor();
  }

  outputs->clear();
  outputs->reserve(graph_.outputs.size());
  for (size_t i = 0; i < graph_.outputs.size(); ++i) {
    const int value = graph_.outputs[i];
    Tensor result = infos_[value].value != nullptr ? *infos_[value].value : slots[value];
    if (!result.defined()) return InternalError("graph output '%s' was not computed", outputs_[i].name.c_str());
    if (result.dtype() != outputs_[i].dtype) {
      return InternalError("graph output '%s' came out %s, but the model describes it as %s",
                           outputs_[i].name.c_str(), DTypeName(result.dtype()), DTypeName(outputs_[i].dtype));
    }
    outputs->push_back(std::move(result));
  }
  // Release everything else before deciding what to copy: an output still shared afterwards is
  // a constant, a caller's input, or another output.
  slots.clear();
  for (Tensor &result : *outputs) {
    if (!result.exclusively_owned()) {
      Tensor copy;
      EXEC_RETURN_IF_ERROR(Tensor::Allocate(result.dtype(), result.shape(), &copy));
      if (result.bytes() != 0) std::memcpy(copy.raw(), result.raw(), result.bytes());
      result = std::move(copy);
    }
  }
  return Status::Ok();
}

Status LoadModel(const uint8_t *bytes, size_t size, const LoadOptions &options, std::unique_ptr<Executable> *out) {
  onnx::ModelProto model;
  onnx::ReadOptions read_options;
  read_options.base_dir = options.base_dir;
  EXEC_RETURN_IF_ERROR(onnx::ReadModel(bytes, size, read_options, &model));
  auto executable = std::make_unique<GraphExecutable>();
  EXEC_RETURN_IF_ERROR(executable->Prepare(model));
  *out = std::move(executable);
  return Status::Ok();
}

}  // namespace

Status Executable::Load(const uint8_t *bytes, size_t size, const LoadOptions &options,
                        std::unique_ptr<Executable> *out) {
  return Guarded("loading the model", [&] { return LoadModel(bytes, size, options, out); });
}

}  // namespace aclsim::exec
