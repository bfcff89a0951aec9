#include "sim/model/execution.h"

#include <algorithm>
#include <cstring>

#include "acl/acl_errors.h"
#include "sim/model/data_types.h"
#include "sim/model/device_budget.h"
#include "sim/recent_errors.h"
#include "sim/state.h"
#include "sim/util.h"

namespace aclsim::model {
namespace {

using exec::DType;
using exec::Shape;
using exec::ShapeToString;
using exec::Status;

std::string Quoted(const IoSpec &spec) { return "'" + spec.name + "'"; }

aclError FailWith(const Status &status) { return Fail(status.code(), "%s", status.message().c_str()); }

// --- binding -----------------------------------------------------------------------------------

aclError CountMismatch(const char *role, size_t given, const Model &model, size_t expected) {
  const ModelSignature &sig = *model.signature();
  std::string hidden;
  if (std::string(role) == "input" && sig.hidden_input >= 0) {
    hidden = Sprintf(" (including the dynamic-batch input '%s' at index %d, which aclmdlSetDynamicBatchSize fills)",
                     ACL_DYNAMIC_TENSOR_NAME, sig.hidden_input);
  }
  return Fail(acl::ACL_ERROR_INVALID_PARAM, "the %s dataset has %zu buffer(s), but model %u has %zu %ss%s", role, given,
              model.id(), expected, role, hidden.c_str());
}

aclError BindBuffer(const Model &model, bool is_output, size_t index, const IoSpec &spec, aclDataBuffer *handle,
                    ExecMode mode, bool strict, BoundBuffer *out) {
  const char *role = is_output ? "output" : "input";
  std::string what = Sprintf("%s %zu %s", role, index, Quoted(spec).c_str());
  if (handle == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "the buffer of %s is NULL", what.c_str());
  std::string buffer_role = "the buffer of " + what;
  std::shared_ptr<aclDataBuffer> buffer = HostObjects::Get().Find<aclDataBuffer>(handle, buffer_role.c_str());
  if (buffer == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
  void *data = buffer->data.load(std::memory_order_relaxed);
  uint64_t size = buffer->size.load(std::memory_order_relaxed);
  out->buffer = buffer;
  if (data == nullptr) {
    if (!is_output || size != 0) {
      return Fail(acl::ACL_ERROR_INVALID_PARAM, "%s has no memory (its data is NULL%s)", what.c_str(),
                  is_output ? " with a non-zero size; (NULL, 0) asks aclmdlExecute to allocate it" : "");
    }
    if (mode == ExecMode::kAsync) {
      return Fail(acl::ACL_ERROR_RT_FEATURE_NOT_SUPPORT,
                  "%s is (NULL, 0), which asks for an output the runtime allocates: only aclmdlExecute does that; "
                  "give aclmdlExecuteAsync device memory of aclmdlGetOutputSizeByIndex bytes",
                  what.c_str());
    }
    out->auto_allocate = true;
    return ACL_SUCCESS;
  }
  if (aclError code = ResolveSpan(data, size, what.c_str(), strict, &out->span); code != 0) return code;
  if (out->span.on_device() && out->span.device != model.device()) {
    return Fail(acl::ACL_ERROR_INVALID_PARAM, "%s is memory of device %d, but model %u is loaded on device %d",
                what.c_str(), out->span.device, model.id(), model.device());
  }
  if (!out->span.on_device() && strict) {
    return Fail(acl::ACL_ERROR_INVALID_PARAM,
                "%s is %s: a model reads and writes device memory (aclrtMalloc) only (host memory in the dataset; "
                "strict mode)",
                what.c_str(), out->span.Describe().c_str());
  }
  out->given = size;
  return ACL_SUCCESS;
}

// --- shapes ------------------------------------------------------------------------------------

struct ShapePlan {
  uint64_t batch = 0;              // dynamic batch: 0 while unknown (not read yet)
  std::vector<Shape> inputs;       // per visible input (dims of -1 while the batch is unknown)
  std::vector<Shape> outputs;      // per output (-1 where known only after the run)
};

// Reads the batch from the hidden input's buffer.
Status ReadBatch(const Execution &e, uint64_t *batch) {
  const ModelSignature &sig = *e.model->signature();
  const BoundBuffer &hidden = e.inputs[static_cast<size_t>(sig.hidden_input)];
  if (hidden.given < sizeof(uint32_t)) {
    return Status::Error(acl::ACL_ERROR_GE_EXEC_MODEL_DATA_SIZE_INVALID,
                         Sprintf("input %d '%s' needs %zu bytes (the batch as a uint64) but its buffer holds %llu",
                                 sig.hidden_input, ACL_DYNAMIC_TENSOR_NAME, sizeof(uint64_t),
                                 static_cast<unsigned long long>(hidden.given)));
  }
  // As aclmdlSetDynamicBatchSize writes it: a uint64 in a buffer of 8 bytes or more, else a uint32.
  if (hidden.given >= sizeof(uint64_t)) {
    std::memcpy(batch, hidden.span.data, sizeof(uint64_t));
  } else {
    uint32_t narrow = 0;
    std::memcpy(&narrow, hidden.span.data, sizeof narrow);
    *batch = narrow;
  }
  if (!sig.IsGear(*batch)) {
    return Status::Error(acl::ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID,
                         Sprintf("the batch %llu in input %d '%s' is not one of model %u's gears (%s): call "
                                 "aclmdlSetDynamicBatchSize before executing",
                                 static_cast<unsigned long long>(*batch), sig.hidden_input, ACL_DYNAMIC_TENSOR_NAME,
                                 e.model->id(), sig.GearList().c_str()));
  }
  return Status::Ok();
}

// Whether the dims a caller gave fit what the graph declares.
bool DimsFit(const Shape &declared, const Shape &given) {
  if (declared == Shape{kUnknownRankDim}) {
    return std::all_of(given.begin(), given.end(), [](int64_t d) { return d >= 0; });
  }
  if (declared.size() != given.size()) return false;
  for (size_t d = 0; d < given.size(); ++d) {
    if (given[d] < 0 || (declared[d] >= 0 && declared[d] != given[d])) return false;
  }
  return true;
}

Status PlanInputs(const Execution &e, ShapePlan *plan) {
  const ModelSignature &sig = *e.model->signature();
  for (size_t i = 0; i < sig.visible_inputs(); ++i) {
    const IoSpec &spec = sig.inputs[i];
    Shape shape;
    if (!sig.gears.empty()) {
      shape = spec.graph_dims;
      shape[0] = plan->batch != 0 ? static_cast<int64_t>(plan->batch) : -1;
    } else if (exec::IsKnown(spec.dims)) {
      shape = spec.dims;
      if (e.has_dims[i] && e.dims[i] != shape) {
        return Status::Error(exec::kShapeInvalid,
                             Sprintf("input %zu %s has dims %s, but its tensor descriptor in the dataset says %s", i,
                                     Quoted(spec).c_str(), ShapeToString(shape).c_str(),
                                     ShapeToString(e.dims[i]).c_str()));
      }
    } else {
      if (!e.has_dims[i]) {
        return Status::Error(acl::ACL_ERROR_INVALID_PARAM,
                             Sprintf("input %zu %s has dims %s that are known only at run time: give its actual dims "
                                     "with aclmdlSetDatasetTensorDesc(input, desc, %zu) before executing",
                                     i, Quoted(spec).c_str(), ShapeToString(spec.dims).c_str(), i));
      }
      if (!DimsFit(spec.dims, e.dims[i])) {
        return Status::Error(exec::kShapeInvalid,
                             Sprintf("input %zu %s: the dims %s in its tensor descriptor do not fit the model's %s", i,
                                     Quoted(spec).c_str(), ShapeToString(e.dims[i]).c_str(),
                                     ShapeToString(spec.dims).c_str()));
      }
      shape = e.dims[i];
    }
    plan->inputs.push_back(std::move(shape));
  }
  return Status::Ok();
}

Status PlanOutputs(const Execution &e, ShapePlan *plan) {
  const ModelSignature &sig = *e.model->signature();
  if (!sig.gears.empty()) {
    for (size_t o = 0; o < sig.outputs.size(); ++o) {
      plan->outputs.push_back(plan->batch != 0 ? sig.OutputDimsAtBatch(o, plan->batch) : sig.outputs[o].dims);
    }
    return Status::Ok();
  }
  if (!sig.dynamic_shapes) {
    for (const IoSpec &spec : sig.outputs) plan->outputs.push_back(spec.dims);
    return Status::Ok();
  }
  std::vector<exec::IoInfo> inferred;
  Status status = e.model->graph().InferOutputs(plan->inputs, &inferred);
  if (!status.ok()) return status;
  for (size_t o = 0; o < sig.outputs.size(); ++o) {
    plan->outputs.push_back(o < inferred.size() ? PresentedDims(inferred[o]) : Shape{kUnknownRankDim});
  }
  return Status::Ok();
}

Status TooSmall(const char *role, size_t index, const IoSpec &spec, const Shape &dims, uint64_t needed, uint64_t given) {
  return Status::Error(acl::ACL_ERROR_GE_EXEC_MODEL_DATA_SIZE_INVALID,
                       Sprintf("%s %zu %s needs %llu bytes (%s %s) but its buffer holds %llu", role, index,
                               Quoted(spec).c_str(), static_cast<unsigned long long>(needed),
                               exec::DTypeName(spec.type), ShapeToString(dims).c_str(),
                               static_cast<unsigned long long>(given)));
}

Status TooLarge(const char *role, size_t index, const IoSpec &spec, const Shape &dims) {
  return Status::Error(acl::ACL_ERROR_GE_EXEC_MODEL_DATA_SIZE_INVALID,
                       Sprintf("%s %zu %s of %s %s is too large", role, index, Quoted(spec).c_str(),
                               exec::DTypeName(spec.type), ShapeToString(dims).c_str()));
}

// Checks every buffer whose needed size is known in `plan`.
Status CheckSizes(const Execution &e, const ShapePlan &plan) {
  const ModelSignature &sig = *e.model->signature();
  for (size_t i = 0; i < plan.inputs.size(); ++i) {
    if (!exec::IsKnown(plan.inputs[i])) continue;
    uint64_t needed = 0;
    if (!ShapeBytes(plan.inputs[i], sig.inputs[i].type, &needed)) return TooLarge("input", i, sig.inputs[i], plan.inputs[i]);
    if (e.inputs[i].given < needed) {
      return TooSmall("input", i, sig.inputs[i], plan.inputs[i], needed, e.inputs[i].given);
    }
  }
  for (size_t o = 0; o < plan.outputs.size(); ++o) {
    if (e.outputs[o].auto_allocate || !exec::IsKnown(plan.outputs[o])) continue;
    uint64_t needed = 0;
    if (!ShapeBytes(plan.outputs[o], sig.outputs[o].type, &needed)) {
      return TooLarge("output", o, sig.outputs[o], plan.outputs[o]);
    }
    if (e.outputs[o].given < needed) {
      return TooSmall("output", o, sig.outputs[o], plan.outputs[o], needed, e.outputs[o].given);
    }
  }
  return Status::Ok();
}

// The batch can be read at enqueue time unless queued stream work still uses the memory that
// holds it (a copy that sets it, say): reading it then would race that work, so the run reads it.
bool BatchReadableNow(const Execution &e, ExecMode mode) {
  if (mode == ExecMode::kSync) return true;
  const ModelSignature &sig = *e.model->signature();
  const Span &span = e.inputs[static_cast<size_t>(sig.hidden_input)].span;
  QueuedUse use;
  return span.allocation == nullptr || !span.allocation->FirstUse(&use);
}

// --- running -----------------------------------------------------------------------------------

// A graph input over `bytes` of presented data: a view when no conversion is needed and the
// memory is aligned for the element type, otherwise a converted (or realigned) copy.
Status MakeInput(const IoSpec &spec, const Shape &shape, const uint8_t *bytes, exec::Tensor *out) {
  const size_t element = exec::DTypeSize(spec.graph_type);
  const bool aligned = element == 0 || reinterpret_cast<uintptr_t>(bytes) % element == 0;
  if (spec.conversion == Conversion::kNone && aligned) {
    *out = exec::Tensor::View(spec.graph_type, shape, const_cast<uint8_t *>(bytes));
    return Status::Ok();
  }
  exec::Tensor tensor;
  EXEC_RETURN_IF_ERROR(exec::Tensor::Allocate(spec.graph_type, shape, &tensor));
  if (spec.conversion == Conversion::kNone) {
    std::memcpy(tensor.raw(), bytes, tensor.bytes());
  } else {
    Convert(spec.conversion, bytes, tensor.raw(), static_cast<size_t>(tensor.elements()));
  }
  *out = std::move(tensor);
  return Status::Ok();
}

Status RunGraph(const Execution &e, const std::vector<Shape> &shapes, size_t sample, std::vector<exec::Tensor> *outputs) {
  const ModelSignature &sig = *e.model->signature();
  std::vector<exec::Tensor> inputs;
  inputs.reserve(shapes.size());
  for (size_t i = 0; i < shapes.size(); ++i) {
    uint64_t sample_bytes = 0;
    ShapeBytes(shapes[i], sig.inputs[i].type, &sample_bytes);  // checked against the buffer already
    exec::Tensor tensor;
    EXEC_RETURN_IF_ERROR(MakeInput(sig.inputs[i], shapes[i], e.inputs[i].span.data + sample * sample_bytes, &tensor));
    inputs.push_back(std::move(tensor));
  }
  EXEC_RETURN_IF_ERROR(e.model->graph().Run(inputs, outputs, *e.pool));
  if (outputs->size() != sig.outputs.size()) {
    return exec::InternalError("the graph produced %zu outputs for %zu declared", outputs->size(), sig.outputs.size());
  }
  for (size_t o = 0; o < outputs->size(); ++o) {
    const exec::Tensor &t = (*outputs)[o];
    if (t.dtype() != sig.outputs[o].graph_type) {
      return exec::InternalError("output %zu '%s' came out as %s, but the graph declares %s", o,
                                 sig.outputs[o].name.c_str(), exec::DTypeName(t.dtype()),
                                 exec::DTypeName(sig.outputs[o].graph_type));
    }
  }
  return Status::Ok();
}

Status CheckBatchDim(const IoSpec &spec, size_t index, const Shape &shape, int64_t expected) {
  if (!shape.empty() && shape[0] == expected) return Status::Ok();
  return Status::Error(exec::kShapeInvalid,
                       Sprintf("output %zu '%s' has shape %s, but with dynamic batch its first dim must be %lld", index,
                               spec.name.c_str(), ShapeToString(shape).c_str(), static_cast<long long>(expected)));
}

bool Overlaps(const void *a, uint64_t a_bytes, const void *b, uint64_t b_bytes) {
  auto x = reinterpret_cast<uintptr_t>(a), y = reinterpret_cast<uintptr_t>(b);
  return a_bytes != 0 && b_bytes != 0 && x < y + b_bytes && y < x + a_bytes;
}

}  // namespace

aclError BindExecution(const std::shared_ptr<Model> &model, const aclmdlDataset *input, aclmdlDataset *output,
                       ExecMode mode, Execution *out) {
  std::shared_ptr<aclmdlDataset> in = HostObjects::Get().Find<aclmdlDataset>(input, "the input dataset");
  if (in == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
  std::shared_ptr<aclmdlDataset> outs = HostObjects::Get().Find<aclmdlDataset>(output, "the output dataset");
  if (outs == nullptr) return acl::ACL_ERROR_INVALID_PARAM;

  std::vector<aclDataBuffer *> in_buffers, out_buffers;
  std::vector<std::shared_ptr<aclTensorDesc>> in_descs;
  {
    std::lock_guard<std::mutex> lock(in->mu);
    in_buffers = in->buffers;
    in_descs = in->descs;
  }
  if (outs != in) {
    std::lock_guard<std::mutex> lock(outs->mu);
    out_buffers = outs->buffers;
  } else {
    out_buffers = in_buffers;
  }

  const ModelSignature &sig = *model->signature();
  if (in_buffers.size() != sig.inputs.size()) return CountMismatch("input", in_buffers.size(), *model, sig.inputs.size());
  if (out_buffers.size() != sig.outputs.size()) {
    return CountMismatch("output", out_buffers.size(), *model, sig.outputs.size());
  }

  Execution e;
  e.model = model;
  e.output_dataset = outs;
  const bool strict = State::Get().strict.load(std::memory_order_relaxed);
  e.inputs.resize(in_buffers.size());
  e.outputs.resize(out_buffers.size());
  for (size_t i = 0; i < in_buffers.size(); ++i) {
    if (aclError code = BindBuffer(*model, false, i, sig.inputs[i], in_buffers[i], mode, strict, &e.inputs[i]); code != 0) {
      return code;
    }
  }
  for (size_t o = 0; o < out_buffers.size(); ++o) {
    if (aclError code = BindBuffer(*model, true, o, sig.outputs[o], out_buffers[o], mode, strict, &e.outputs[o]);
        code != 0) {
      return code;
    }
  }
  for (size_t i = 0; i < sig.visible_inputs(); ++i) {
    const bool has = i < in_descs.size() && in_descs[i] != nullptr;
    e.has_dims.push_back(has);
    e.dims.push_back(has ? Shape(in_descs[i]->Get().dims) : Shape());
  }

  ShapePlan plan;
  if (sig.hidden_input >= 0 && BatchReadableNow(e, mode)) {
    if (Status status = ReadBatch(e, &plan.batch); !status.ok()) return FailWith(status);
  }
  if (Status status = PlanInputs(e, &plan); !status.ok()) return FailWith(status);
  if (!sig.gears.empty() && plan.batch == 0) {
    // The batch is read when the execution runs; so are the sizes that depend on it.
    plan.outputs.clear();
  } else if (Status status = PlanOutputs(e, &plan); !status.ok()) {
    return FailWith(status);
  }
  if (Status status = CheckSizes(e, plan); !status.ok()) return FailWith(status);
  if (mode == ExecMode::kAsync) {
    for (size_t o = 0; o < plan.outputs.size(); ++o) {
      if (exec::IsKnown(plan.outputs[o])) continue;
      return Fail(acl::ACL_ERROR_RT_FEATURE_NOT_SUPPORT,
                  "output %zu '%s' of model %u has dims %s that are known only once the model has run, so its size "
                  "is unknown: execute it with aclmdlExecute and a (NULL, 0) output buffer instead",
                  o, sig.outputs[o].name.c_str(), model->id(), ShapeToString(plan.outputs[o]).c_str());
    }
  }
  *out = std::move(e);
  return ACL_SUCCESS;
}

Status Compute(const Execution &e, Computed *out) {
  const ModelSignature &sig = *e.model->signature();
  // The tensors of the run, results included until they are stored, are charged to the model's
  // device: shapes known only now cannot take more memory than the device has (207001).
  exec::BudgetScope budget(std::make_shared<DeviceBudget>(State::Get().device(e.model->device()).memory, e.model->id()));
  ShapePlan plan;
  if (sig.hidden_input >= 0) EXEC_RETURN_IF_ERROR(ReadBatch(e, &plan.batch));
  EXEC_RETURN_IF_ERROR(PlanInputs(e, &plan));
  EXEC_RETURN_IF_ERROR(CheckSizes(e, plan));

  Computed computed;
  computed.batch = plan.batch;
  computed.outputs.resize(sig.outputs.size());
  if (sig.batch_mode == BatchMode::kPerSample) {
    std::vector<Shape> one = plan.inputs;
    for (Shape &shape : one) shape[0] = 1;
    for (uint64_t s = 0; s < plan.batch; ++s) {
      std::vector<exec::Tensor> results;
      EXEC_RETURN_IF_ERROR(RunGraph(e, one, static_cast<size_t>(s), &results));
      for (size_t o = 0; o < results.size(); ++o) {
        EXEC_RETURN_IF_ERROR(CheckBatchDim(sig.outputs[o], o, results[o].shape(), 1));
        ComputedOutput &c = computed.outputs[o];
        if (s == 0) {
          c.dims = results[o].shape();
        } else if (results[o].shape() != c.pieces.front().shape()) {
          return Status::Error(exec::kShapeInvalid,
                               Sprintf("output %zu '%s' has shape %s for sample 0 but %s for sample %llu: a dynamic-batch "
                                       "model's samples must have equal shapes",
                                       o, sig.outputs[o].name.c_str(), ShapeToString(c.pieces.front().shape()).c_str(),
                                       ShapeToString(results[o].shape()).c_str(), static_cast<unsigned long long>(s)));
        }
        c.pieces.push_back(std::move(results[o]));
      }
    }
    for (ComputedOutput &c : computed.outputs) c.dims[0] = static_cast<int64_t>(plan.batch);
  } else {
    std::vector<exec::Tensor> results;
    EXEC_RETURN_IF_ERROR(RunGraph(e, plan.inputs, 0, &results));
    for (size_t o = 0; o < results.size(); ++o) {
      if (sig.batch_mode == BatchMode::kBatched) {
        EXEC_RETURN_IF_ERROR(CheckBatchDim(sig.outputs[o], o, results[o].shape(), static_cast<int64_t>(plan.batch)));
      }
      computed.outputs[o].dims = results[o].shape();
      computed.outputs[o].pieces.push_back(std::move(results[o]));
    }
  }
  for (size_t o = 0; o < computed.outputs.size(); ++o) {
    ComputedOutput &c = computed.outputs[o];
    if (!ShapeBytes(c.dims, sig.outputs[o].type, &c.bytes)) return TooLarge("output", o, sig.outputs[o], c.dims);
  }
  *out = std::move(computed);
  return Status::Ok();
}

Status StoreOutputs(const Execution &e, const Computed &computed) {
  const ModelSignature &sig = *e.model->signature();
  // Every size first, so that a failing output leaves every buffer untouched.
  for (size_t o = 0; o < computed.outputs.size(); ++o) {
    if (e.outputs[o].given < computed.outputs[o].bytes) {
      return TooSmall("output", o, sig.outputs[o], computed.outputs[o].dims, computed.outputs[o].bytes,
                      e.outputs[o].given);
    }
  }
  // A result may alias memory an earlier output overwrites (an Identity of an input whose buffer
  // is also an output buffer): copy such results out of the way before writing anything.
  std::vector<std::vector<exec::Tensor>> pieces;
  for (const ComputedOutput &c : computed.outputs) pieces.push_back(c.pieces);
  for (auto &list : pieces) {
    for (exec::Tensor &piece : list) {
      for (const BoundBuffer &dest : e.outputs) {
        if (Overlaps(piece.raw(), piece.bytes(), dest.span.data, dest.given)) {
          piece = piece.Clone();
          break;
        }
      }
    }
  }
  for (size_t o = 0; o < computed.outputs.size(); ++o) {
    const IoSpec &spec = sig.outputs[o];
    uint8_t *dst = e.outputs[o].span.data;
    for (const exec::Tensor &piece : pieces[o]) {
      const size_t elements = static_cast<size_t>(piece.elements());
      if (spec.conversion == Conversion::kNone) {
        if (piece.bytes() != 0) std::memmove(dst, piece.raw(), piece.bytes());
      } else {
        Convert(spec.conversion, piece.raw(), dst, elements);
      }
      dst += elements * exec::DTypeSize(spec.type);
    }
  }
  return Status::Ok();
}

void Publish(const Execution &e, const Computed &computed) {
  const ModelSignature &sig = *e.model->signature();
  if (sig.hidden_input >= 0) e.model->set_current_batch(computed.batch);
  aclmdlDataset &dataset = *e.output_dataset;
  std::lock_guard<std::mutex> lock(dataset.mu);
  if (dataset.destroyed) return;
  for (size_t o = 0; o < computed.outputs.size() && o < dataset.descs.size(); ++o) {
    TensorDescValue value;
    value.data_type = ToAcl(sig.outputs[o].type);
    value.format = sig.outputs[o].format;
    value.dims = computed.outputs[o].dims;
    if (dataset.descs[o] == nullptr) {
      auto desc = std::make_shared<aclTensorDesc>(std::move(value), /*dataset_owned=*/true);
      HostObjects::Get().Add(desc);
      dataset.descs[o] = std::move(desc);
    } else {
      dataset.descs[o]->Set(std::move(value));
    }
  }
}

}  // namespace aclsim::model
