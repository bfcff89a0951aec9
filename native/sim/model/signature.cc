#include "sim/model/signature.h"

#include <algorithm>

#include "acl/acl_abi.h"
#include "sim/util.h"

namespace aclsim::model {
namespace {

using exec::DType;
using exec::Shape;
using exec::ShapeToString;
using exec::Status;

Status Invalid(const std::string &message) { return Status::Error(exec::kInvalidModel, message); }

std::string NameList(const std::vector<IoSpec> &specs) {
  std::string out;
  for (const IoSpec &spec : specs) {
    if (spec.hidden) continue;
    out += out.empty() ? "" : ", ";
    out += "'" + spec.name + "'";
  }
  return out.empty() ? "none" : out;
}

Status ApplyTypes(const std::vector<std::pair<std::string, DType>> &types, bool inputs, std::vector<IoSpec> *specs) {
  const char *key = inputs ? "inputTypes" : "outputTypes";
  for (const auto &[name, presented] : types) {
    // By a named reference: clang 14 cannot capture a structured binding in a lambda.
    const std::string &wanted = name;
    auto it = std::find_if(specs->begin(), specs->end(), [&](const IoSpec &s) { return s.name == wanted; });
    if (it == specs->end()) {
      return Invalid(Sprintf("%s names '%s', which is not an %s of the model (%ss: %s)", key, name.c_str(),
                             inputs ? "input" : "output", inputs ? "input" : "output", NameList(*specs).c_str()));
    }
    Conversion conversion = Conversion::kNone;
    bool supported = inputs ? InputConversion(presented, it->graph_type, &conversion)
                            : OutputConversion(it->graph_type, presented, &conversion);
    if (!supported) {
      return Invalid(Sprintf("%s cannot present %s '%s' as %s: the graph computes it as %s, and a compiled model "
                             "converts only float32 %ss (to and from float16, and %s)",
                             key, inputs ? "input" : "output", name.c_str(), exec::DTypeName(presented),
                             exec::DTypeName(it->graph_type), inputs ? "input" : "output",
                             inputs ? "from uint8" : "to uint8"));
    }
    it->type = presented;
    it->conversion = conversion;
  }
  return Status::Ok();
}

int FormatFor(const Shape &dims) { return dims.size() == 4 ? ACL_FORMAT_NCHW : ACL_FORMAT_ND; }

// Checks that the graph can take a batch dim managed by gears, and picks how it runs.
Status CheckBatchInputs(const std::vector<IoSpec> &inputs, BatchMode *mode) {
  if (inputs.empty()) return Invalid("dynamicBatch needs a model with at least one input");
  bool all_symbolic = true;
  for (const IoSpec &in : inputs) {
    if (in.graph_dims.empty()) {
      return Invalid(Sprintf("dynamicBatch needs every input to start with the batch dim, but input '%s' is %s",
                             in.name.c_str(), in.dims.empty() ? "a scalar" : "declared without a shape"));
    }
    if (in.name == ACL_DYNAMIC_TENSOR_NAME) {
      return Invalid(Sprintf("the graph already has an input named '%s', the name of the dynamic-batch input",
                             ACL_DYNAMIC_TENSOR_NAME));
    }
    if (in.graph_dims[0] != -1 && in.graph_dims[0] != 1) {
      return Invalid(Sprintf("dynamicBatch needs every input's first dim to be the batch (symbolic, or 1 for a graph "
                             "run once per sample), but input '%s' has shape %s",
                             in.name.c_str(), ShapeToString(in.graph_dims).c_str()));
    }
    for (size_t d = 1; d < in.graph_dims.size(); ++d) {
      if (in.graph_dims[d] < 0) {
        return Invalid(Sprintf("dynamicBatch needs every dim but the batch to be fixed, but input '%s' has shape %s "
                               "(dim %zu is symbolic)",
                               in.name.c_str(), ShapeToString(in.graph_dims).c_str(), d));
      }
    }
    all_symbolic = all_symbolic && in.graph_dims[0] == -1;
  }
  *mode = all_symbolic ? BatchMode::kBatched : BatchMode::kPerSample;
  return Status::Ok();
}

std::vector<Shape> InputShapesAtBatch(const std::vector<IoSpec> &inputs, int64_t batch) {
  std::vector<Shape> shapes;
  for (const IoSpec &in : inputs) {
    Shape shape = in.graph_dims;
    shape[0] = batch;
    shapes.push_back(std::move(shape));
  }
  return shapes;
}

Status InferBatchOutputs(const exec::Executable &graph, ModelSignature *sig, const std::vector<IoSpec> &inputs) {
  const bool per_sample = sig->batch_mode == BatchMode::kPerSample;
  std::vector<uint64_t> batches = per_sample ? std::vector<uint64_t>{1} : sig->gears;
  for (uint64_t batch : batches) {
    std::vector<exec::IoInfo> inferred;
    Status status = graph.InferOutputs(InputShapesAtBatch(inputs, static_cast<int64_t>(batch)), &inferred);
    if (!status.ok()) {
      return Invalid(Sprintf("dynamicBatch: the graph cannot run with batch %llu: %s",
                             static_cast<unsigned long long>(batch), status.message().c_str()));
    }
    if (inferred.size() != sig->outputs.size()) {
      return Status::Error(exec::kInternal, "shape inference returned the wrong number of outputs");
    }
    std::vector<Shape> dims;
    for (size_t o = 0; o < inferred.size(); ++o) {
      const Shape shape = PresentedDims(inferred[o]);
      if (shape.empty() || !inferred[o].rank_known || (shape[0] != -1 && shape[0] != static_cast<int64_t>(batch))) {
        return Invalid(Sprintf("dynamicBatch needs every output's first dim to be the batch, but output '%s' has "
                               "shape %s when the graph runs with batch %llu",
                               sig->outputs[o].name.c_str(), ShapeToString(shape).c_str(),
                               static_cast<unsigned long long>(batch)));
      }
      if (!sig->gear_output_dims.empty()) {
        const Shape &first = sig->gear_output_dims.front()[o];
        if (!std::equal(shape.begin() + 1, shape.end(), first.begin() + 1, first.end())) {
          return Invalid(Sprintf("dynamicBatch needs outputs whose dims other than the batch do not depend on it, but "
                                 "output '%s' has shape %s at batch %llu and %s at batch %llu",
                                 sig->outputs[o].name.c_str(), ShapeToString(first).c_str(),
                                 static_cast<unsigned long long>(batches.front()), ShapeToString(shape).c_str(),
                                 static_cast<unsigned long long>(batch)));
        }
      }
      dims.push_back(shape);
    }
    sig->gear_output_dims.push_back(std::move(dims));
  }
  return Status::Ok();
}

Status SetSize(IoSpec *spec, const Shape &dims_at_max) {
  if (!exec::IsKnown(dims_at_max)) {
    spec->size = 0;
    return Status::Ok();
  }
  if (!ShapeBytes(dims_at_max, spec->type, &spec->size)) {
    return Invalid(Sprintf("'%s' of shape %s is too large", spec->name.c_str(), ShapeToString(dims_at_max).c_str()));
  }
  return Status::Ok();
}

}  // namespace

Shape PresentedDims(const exec::IoInfo &io) { return io.rank_known ? io.dims : Shape{kUnknownRankDim}; }

bool ShapeBytes(const Shape &dims, DType type, uint64_t *out) {
  uint64_t count = 1;
  for (int64_t dim : dims) {
    if (dim < 0) return false;
    if (dim != 0 && count > UINT64_MAX / static_cast<uint64_t>(dim)) return false;
    count *= static_cast<uint64_t>(dim);
  }
  uint64_t element = exec::DTypeSize(type);
  if (element != 0 && count > UINT64_MAX / element) return false;
  *out = count * element;
  return true;
}

bool ModelSignature::IsGear(uint64_t batch) const {
  return std::binary_search(gears.begin(), gears.end(), batch);
}

std::string ModelSignature::GearList() const {
  std::string out;
  for (uint64_t gear : gears) out += (out.empty() ? "" : ", ") + std::to_string(gear);
  return out;
}

Shape ModelSignature::OutputDimsAtBatch(size_t output, uint64_t batch) const {
  if (batch_mode == BatchMode::kBatched) {
    size_t g = static_cast<size_t>(std::lower_bound(gears.begin(), gears.end(), batch) - gears.begin());
    if (g < gears.size() && gears[g] == batch) return gear_output_dims[g][output];
  }
  Shape dims = gear_output_dims.empty() ? outputs[output].graph_dims : gear_output_dims.front()[output];
  if (!dims.empty()) dims[0] = static_cast<int64_t>(batch);
  return dims;
}

Status BuildSignature(const exec::Executable &graph, const ModelOptions &options, ModelSignature *out) {
  ModelSignature sig;
  for (const exec::IoInfo &info : graph.inputs()) {
    IoSpec spec;
    spec.name = info.name;
    spec.type = spec.graph_type = info.dtype;
    spec.graph_dims = info.dims;
    spec.dims = PresentedDims(info);
    sig.inputs.push_back(std::move(spec));
  }
  for (const exec::IoInfo &info : graph.outputs()) {
    IoSpec spec;
    spec.name = info.name;
    spec.type = spec.graph_type = info.dtype;
    spec.graph_dims = info.dims;
    spec.dims = PresentedDims(info);
    sig.outputs.push_back(std::move(spec));
  }
  EXEC_RETURN_IF_ERROR(ApplyTypes(options.input_types, /*inputs=*/true, &sig.inputs));
  EXEC_RETURN_IF_ERROR(ApplyTypes(options.output_types, /*inputs=*/false, &sig.outputs));

  if (options.gears.empty()) {
    for (IoSpec &in : sig.inputs) {
      sig.dynamic_shapes = sig.dynamic_shapes || !exec::IsKnown(in.dims);
      EXEC_RETURN_IF_ERROR(SetSize(&in, in.dims));
    }
    for (IoSpec &o : sig.outputs) EXEC_RETURN_IF_ERROR(SetSize(&o, o.dims));
  } else {
    sig.gears = options.gears;
    EXEC_RETURN_IF_ERROR(CheckBatchInputs(sig.inputs, &sig.batch_mode));
    EXEC_RETURN_IF_ERROR(InferBatchOutputs(graph, &sig, sig.inputs));
    const int64_t max = static_cast<int64_t>(sig.max_gear());
    for (IoSpec &in : sig.inputs) {
      in.dims[0] = -1;
      Shape at_max = in.graph_dims;
      at_max[0] = max;
      EXEC_RETURN_IF_ERROR(SetSize(&in, at_max));
    }
    for (size_t o = 0; o < sig.outputs.size(); ++o) {
      IoSpec &spec = sig.outputs[o];
      spec.dims = sig.gear_output_dims.back()[o];
      spec.dims[0] = -1;
      EXEC_RETURN_IF_ERROR(SetSize(&spec, sig.OutputDimsAtBatch(o, sig.max_gear())));
    }
    IoSpec hidden;
    hidden.name = ACL_DYNAMIC_TENSOR_NAME;
    hidden.type = hidden.graph_type = DType::kInt64;
    hidden.graph_dims = hidden.dims = {1};
    hidden.size = sizeof(uint64_t);
    hidden.hidden = true;
    sig.hidden_input = static_cast<int>(sig.inputs.size());
    sig.inputs.push_back(std::move(hidden));
  }
  for (IoSpec &spec : sig.inputs) spec.format = FormatFor(spec.dims);
  for (IoSpec &spec : sig.outputs) spec.format = FormatFor(spec.dims);
  *out = std::move(sig);
  return Status::Ok();
}

}  // namespace aclsim::model
