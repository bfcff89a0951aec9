// Loading, sizing, running and unloading models, and dynamic batch (reference §4.9, §5.8;
// api.md error table). Every function here needs aclInit (145001 before it: the model executor
// is not initialised).
#include <algorithm>
#include <cstring>

#include "sim/model/api_guard.h"
#include "sim/model/execute_task.h"
#include "sim/model/execution.h"
#include "sim/model/host_objects.h"
#include "sim/model/model.h"
#include "sim/model/model_loader.h"
#include "sim/model/model_registry.h"
#include "sim/hazards.h"
#include "sim/util.h"

using namespace aclsim;
using namespace aclsim::model;

namespace {

bool Strict() { return State::Get().strict.load(std::memory_order_relaxed); }

// Where the model comes from.
struct Source {
  const char *path = nullptr;  // aclmdlLoadFromFile*
  const uint8_t *bytes = nullptr;  // aclmdlLoadFromMem*
  size_t size = 0;
};

// Caller-supplied work or weight memory (aclmdlLoad*WithMem): NULL lets the system allocate;
// otherwise it must be device memory of the model's device, at least `needed` bytes.
aclError CheckCallerMemory(const char *what, void *ptr, size_t size, uint64_t needed, int device,
                           std::vector<std::shared_ptr<Allocation>> *keep) {
  if (ptr == nullptr) return ACL_SUCCESS;
  Span span;
  if (aclError code = ResolveSpan(ptr, size, what, Strict(), &span); code != 0) return code;
  if (!span.on_device() || span.device != device) {
    return Fail(acl::ACL_ERROR_INVALID_PARAM, "%s %s is %s, not device memory of device %d (where the model loads)",
                what, Hex(reinterpret_cast<uint64_t>(ptr)).c_str(), span.Describe().c_str(), device);
  }
  if (size < needed) {
    return Fail(acl::ACL_ERROR_GE_PARAM_INVALID,
                "%s of %zu bytes is smaller than the %llu bytes aclmdlQuerySize reports for this model", what, size,
                static_cast<unsigned long long>(needed));
  }
  keep->push_back(span.allocation);
  return ACL_SUCCESS;
}

aclError LoadModel(const char *api, const Source &source, uint32_t *modelId, void *workPtr, size_t workSize,
                   void *weightPtr, size_t weightSize) {
  ModelOptions options = TakePendingModelOptions();  // consumed by this call, whatever happens
  if (aclError code = RequireExecutor(); code != 0) return code;
  if (modelId == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "modelId is NULL");
  if (source.path == nullptr && (source.bytes == nullptr || source.size == 0)) {
    return Fail(acl::ACL_ERROR_INVALID_PARAM, "model must not be NULL and modelSize must be positive");
  }
  std::shared_ptr<Context> context;
  if (aclError code = RequireContext(&context); code != 0) return code;
  const int device = context->device();

  ModelFile file;
  const uint8_t *bytes = source.bytes;
  size_t size = source.size;
  std::string description = "from memory";
  if (source.path != nullptr) {
    if (aclError code = ReadModelFile(source.path, &file); code != 0) return code;
    bytes = file.bytes.data();
    size = file.bytes.size();
    description = file.path;
  }
  LoadedGraph loaded;
  if (aclError code = LoadGraph(bytes, size, file.base_dir, options, &loaded); code != 0) return code;
  file.bytes = std::vector<uint8_t>();  // the graph holds what it needs

  std::vector<std::shared_ptr<Allocation>> caller_memory;
  if (aclError code = CheckCallerMemory("workPtr", workPtr, workSize, loaded.signature->work_bytes, device,
                                        &caller_memory);
      code != 0) {
    return code;
  }
  if (aclError code = CheckCallerMemory("weightPtr", weightPtr, weightSize, loaded.signature->weight_bytes, device,
                                        &caller_memory);
      code != 0) {
    return code;
  }
  const uint32_t id = NextModelId();
  if (id == 0) return Fail(acl::ACL_ERROR_GE_LOAD_MODEL, "every model id of this process has been used");

  WeightCharge charge;
  if (weightPtr == nullptr && loaded.signature->weight_bytes != 0) {
    std::string what = Sprintf("the weights of model %u", id);
    aclError code = State::Get().device(device).memory.Charge(loaded.signature->weight_bytes, what.c_str(),
                                                              &charge.bytes, &charge.generation);
    if (code != 0) return code;
  }
  auto model = std::make_shared<Model>(id, device, context->id(), MakeOrigin(api), description, std::move(loaded.graph),
                                       std::move(loaded.signature), charge, std::move(caller_memory));
  AddModel(model);
  if (context->destroyed()) {  // destroyed while loading: its teardown may have missed the model
    RemoveModel(model);
    return Fail(acl::ACL_ERROR_RT_CONTEXT_NULL, "the current context was destroyed while the model was loading");
  }
  *modelId = id;
  return ACL_SUCCESS;
}

aclError QuerySize(const Source &source, size_t *workSize, size_t *weightSize) {
  ModelOptions options = TakePendingModelOptions();
  if (aclError code = RequireExecutor(); code != 0) return code;
  if (workSize == nullptr || weightSize == nullptr) {
    return Fail(acl::ACL_ERROR_INVALID_PARAM, "workSize and weightSize must not be NULL");
  }
  ModelFile file;
  const uint8_t *bytes = source.bytes;
  size_t size = source.size;
  if (source.path != nullptr) {
    if (aclError code = ReadModelFile(source.path, &file); code != 0) return code;
    bytes = file.bytes.data();
    size = file.bytes.size();
  } else if (bytes == nullptr || size == 0) {
    return Fail(acl::ACL_ERROR_INVALID_PARAM, "model must not be NULL and modelSize must be positive");
  }
  LoadedGraph loaded;
  if (aclError code = LoadGraph(bytes, size, file.base_dir, options, &loaded); code != 0) return code;
  *workSize = static_cast<size_t>(loaded.signature->work_bytes);
  *weightSize = static_cast<size_t>(loaded.signature->weight_bytes);
  return ACL_SUCCESS;
}

// The model to run from the calling thread: loaded, and on the device of the current context.
aclError ModelForExecution(uint32_t modelId, std::shared_ptr<Context> *context, std::shared_ptr<Model> *model) {
  if (aclError code = RequireExecutor(); code != 0) return code;
  if (aclError code = FindLoadedModel(modelId, model); code != 0) return code;
  if (aclError code = RequireContext(context); code != 0) return code;
  if ((*context)->device() != (*model)->device()) {
    return Fail(acl::ACL_ERROR_RT_MODEL_CONTEXT,
                "model %u was loaded on device %d, but the current context is on device %d: execute it from a context "
                "of its device",
                modelId, (*model)->device(), (*context)->device());
  }
  return ACL_SUCCESS;
}

std::shared_ptr<exec::ThreadPool> PoolOrFail(aclError *code) {
  std::shared_ptr<exec::ThreadPool> pool = ExecutorPool();
  if (pool == nullptr) *code = Fail(acl::ACL_ERROR_GE_EXEC_NOT_INIT, "AscendCL was finalised during the call");
  return pool;
}

// Gives every (NULL, 0) output device memory for its result (aclrtMalloc's allocator: it counts
// against the device and the caller frees it with aclrtFree).
aclError AllocateOutputs(Execution *e, const Computed &computed, std::vector<std::shared_ptr<Allocation>> *made) {
  DeviceMemory &memory = State::Get().device(e->model->device()).memory;
  for (size_t o = 0; o < e->outputs.size(); ++o) {
    BoundBuffer &out = e->outputs[o];
    if (!out.auto_allocate) continue;
    std::shared_ptr<Allocation> allocation;
    // An empty result still gets an address the caller can free.
    uint64_t bytes = std::max<uint64_t>(computed.outputs[o].bytes, 1);
    if (aclError code = memory.Allocate(bytes, MakeOrigin("aclmdlExecute"), &allocation); code != 0) return code;
    out.span.place = Place::kDevice;
    out.span.device = e->model->device();
    out.span.offset = 0;
    out.span.data = allocation->data();
    out.span.allocation = allocation;
    out.given = computed.outputs[o].bytes;
    made->push_back(std::move(allocation));
  }
  return ACL_SUCCESS;
}

void FreeOutputs(const Execution &e, const std::vector<std::shared_ptr<Allocation>> &made) {
  DeviceMemory &memory = State::Get().device(e.model->device()).memory;
  for (const auto &allocation : made) memory.Free(allocation->address(), /*strict=*/false);
}

aclError ExecuteSync(uint32_t modelId, const aclmdlDataset *input, aclmdlDataset *output) {
  std::shared_ptr<Context> context;
  std::shared_ptr<Model> model;
  if (aclError code = ModelForExecution(modelId, &context, &model); code != 0) return code;
  Execution e;
  if (aclError code = BindExecution(model, input, output, ExecMode::kSync, &e); code != 0) return code;
  // The run reads every input and writes every output now: queued stream work must not touch them.
  for (const BoundBuffer &in : e.inputs) {
    if (aclError code = CheckHostAccess(in.span.allocation, in.span.offset, in.given, false, "a model input"); code) {
      return code;
    }
  }
  for (const BoundBuffer &out : e.outputs) {
    if (aclError code = CheckHostAccess(out.span.allocation, out.span.offset, out.given, true, "a model output"); code) {
      return code;
    }
  }
  aclError code = 0;
  if ((e.pool = PoolOrFail(&code)) == nullptr) return code;

  Computed computed;
  if (exec::Status status = Compute(e, &computed); !status.ok()) {
    return Fail(status.code(), "%s", status.message().c_str());
  }
  std::vector<std::shared_ptr<Allocation>> made;
  if ((code = AllocateOutputs(&e, computed, &made)) != 0) {
    FreeOutputs(e, made);
    return code;
  }
  if (exec::Status status = StoreOutputs(e, computed); !status.ok()) {
    FreeOutputs(e, made);
    return Fail(status.code(), "%s", status.message().c_str());
  }
  for (BoundBuffer &out : e.outputs) {
    if (!out.auto_allocate) continue;
    out.buffer->data.store(reinterpret_cast<void *>(out.span.allocation->address()), std::memory_order_relaxed);
    out.buffer->size.store(static_cast<size_t>(out.given), std::memory_order_relaxed);
  }
  Publish(e, computed);
  return ACL_SUCCESS;
}

aclError ExecuteAsync(uint32_t modelId, const aclmdlDataset *input, aclmdlDataset *output, aclrtStream stream) {
  std::shared_ptr<Context> context;
  std::shared_ptr<Model> model;
  if (aclError code = ModelForExecution(modelId, &context, &model); code != 0) return code;
  std::shared_ptr<Stream> target;
  if (aclError code = ResolveStream(stream, *context, &target); code != 0) return code;
  Execution e;
  if (aclError code = BindExecution(model, input, output, ExecMode::kAsync, &e); code != 0) return code;
  aclError code = 0;
  if ((e.pool = PoolOrFail(&code)) == nullptr) return code;
  // An idle stream would start the execution at once: that is when an unfinished execution of the
  // model on another stream is certainly a conflict. On a busy stream it is checked at the start.
  uint64_t seq = 0;
  if ((code = model->BeginStreamExecution(target->id(), target->pending() == 0, &seq)) != 0) return code;
  // From here the task ends the stream execution, whether it runs, is dropped or is discarded.
  aclError hazard = ACL_SUCCESS;
  if (!target->Submit(std::make_unique<ExecuteTask>(std::move(e), target->id(), seq), &hazard)) {
    if (hazard != ACL_SUCCESS) return hazard;
    return Fail(acl::ACL_ERROR_RT_INVALID_HANDLE, "stream %s is being destroyed", Hex(target->id()).c_str());
  }
  return ACL_SUCCESS;
}

aclError Unload(uint32_t modelId) {
  if (aclError code = RequireExecutor(); code != 0) return code;
  std::shared_ptr<Model> model;
  if (aclError code = FindLoadedModel(modelId, &model); code != 0) return code;
  if (!model->Release(/*refuse_queued=*/Strict())) {
    uint64_t stream = 0;
    size_t queued = model->QueuedExecutions(&stream);
    return Fail(acl::ACL_ERROR_RT_MODEL_RUNNING,
                "model %u still has %zu execution(s) queued on stream %s: synchronize the stream before unloading "
                "(strict mode)",
                modelId, queued, Hex(stream).c_str());
  }
  RemoveModel(model);  // queued executions (non-strict) finish on the graph they hold
  return ACL_SUCCESS;
}

aclError SetDynamicBatchSize(uint32_t modelId, aclmdlDataset *dataset, size_t index, uint64_t batchSize) {
  if (aclError code = RequireExecutor(); code != 0) return code;
  if (dataset == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "dataset is NULL");
  if (batchSize == 0) return Fail(acl::ACL_ERROR_INVALID_PARAM, "batchSize must be positive");
  std::shared_ptr<Model> model;
  if (aclError code = FindLoadedModel(modelId, &model); code != 0) return code;
  const ModelSignature &sig = *model->signature();
  if (sig.hidden_input < 0) {
    return Fail(acl::ACL_ERROR_INVALID_PARAM, "model %u has no dynamic batch (it was loaded without dynamicBatch gears)",
                modelId);
  }
  if (index != static_cast<size_t>(sig.hidden_input)) {
    return Fail(acl::ACL_ERROR_INVALID_PARAM, "index %zu is not model %u's dynamic-batch input: that is input %d ('%s')",
                index, modelId, sig.hidden_input, ACL_DYNAMIC_TENSOR_NAME);
  }
  std::shared_ptr<aclmdlDataset> found = HostObjects::Get().Find<aclmdlDataset>(dataset, "dataset");
  if (found == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
  aclDataBuffer *handle = nullptr;
  {
    std::lock_guard<std::mutex> lock(found->mu);
    if (index >= found->buffers.size()) {
      return Fail(acl::ACL_ERROR_INVALID_PARAM, "the dataset has %zu buffer(s): add the buffer for input %zu first",
                  found->buffers.size(), index);
    }
    handle = found->buffers[index];
  }
  if (handle == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "the buffer at index %zu is NULL", index);
  std::shared_ptr<aclDataBuffer> buffer = HostObjects::Get().Find<aclDataBuffer>(handle, "the buffer of the dataset");
  if (buffer == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
  void *data = buffer->data.load(std::memory_order_relaxed);
  size_t size = buffer->size.load(std::memory_order_relaxed);
  if (data == nullptr) {
    return Fail(acl::ACL_ERROR_GE_DYNAMIC_INPUT_ADDR_INVALID, "the buffer for input %zu ('%s') has no memory (NULL)",
                index, ACL_DYNAMIC_TENSOR_NAME);
  }
  if (size < sizeof(uint32_t)) {
    return Fail(acl::ACL_ERROR_GE_DYNAMIC_INPUT_LENGTH_INVALID,
                "the buffer for input %zu ('%s') holds %zu bytes; the batch needs 8 (at least 4)", index,
                ACL_DYNAMIC_TENSOR_NAME, size);
  }
  if (!sig.IsGear(batchSize)) {
    return Fail(acl::ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID, "batch %llu is not one of model %u's gears (%s)",
                static_cast<unsigned long long>(batchSize), modelId, sig.GearList().c_str());
  }
  std::shared_ptr<Context> context;
  if (aclError code = RequireContext(&context); code != 0) return code;
  // Written as the runtime does with a host-to-device copy: a uint64 into 8 bytes or more, else a
  // uint32; through the allocation table like any copy.
  const size_t width = size >= sizeof(uint64_t) ? sizeof(uint64_t) : sizeof(uint32_t);
  Span span;
  if (aclError code = ResolveSpan(data, width, "the dynamic-batch input", Strict(), &span); code != 0) return code;
  if (aclError code = CheckHostAccess(span.allocation, span.offset, width, true, "the dynamic-batch input"); code) {
    return code;
  }
  if (!span.on_device() && Strict()) {
    return Fail(acl::ACL_ERROR_INVALID_PARAM,
                "the buffer for input %zu ('%s') is %s: a model reads device memory only (strict mode)", index,
                ACL_DYNAMIC_TENSOR_NAME, span.Describe().c_str());
  }
  if (width == sizeof(uint64_t)) {
    std::memcpy(span.data, &batchSize, width);
  } else {
    uint32_t narrow = static_cast<uint32_t>(batchSize);
    std::memcpy(span.data, &narrow, width);
  }
  model->set_current_batch(batchSize);
  return ACL_SUCCESS;
}

}  // namespace

ACLSIM_EXPORT aclError aclmdlLoadFromFile(const char *modelPath, uint32_t *modelId) {
  return Guarded("aclmdlLoadFromFile", kFaultable, [&]() -> aclError {
    if (modelPath == nullptr) {
      TakePendingModelOptions();
      if (aclError code = RequireExecutor(); code != 0) return code;
      return Fail(acl::ACL_ERROR_INVALID_PARAM, "modelPath is NULL");
    }
    return LoadModel("aclmdlLoadFromFile", Source{modelPath, nullptr, 0}, modelId, nullptr, 0, nullptr, 0);
  });
}

ACLSIM_EXPORT aclError aclmdlLoadFromMem(const void *model, size_t modelSize, uint32_t *modelId) {
  return Guarded("aclmdlLoadFromMem", kFaultable, [&]() -> aclError {
    return LoadModel("aclmdlLoadFromMem", Source{nullptr, static_cast<const uint8_t *>(model), modelSize}, modelId,
                     nullptr, 0, nullptr, 0);
  });
}

ACLSIM_EXPORT aclError aclmdlLoadFromFileWithMem(const char *modelPath, uint32_t *modelId, void *workPtr,
                                                 size_t workSize, void *weightPtr, size_t weightSize) {
  return Guarded("aclmdlLoadFromFileWithMem", kFaultable, [&]() -> aclError {
    if (modelPath == nullptr) {
      TakePendingModelOptions();
      if (aclError code = RequireExecutor(); code != 0) return code;
      return Fail(acl::ACL_ERROR_INVALID_PARAM, "modelPath is NULL");
    }
    return LoadModel("aclmdlLoadFromFileWithMem", Source{modelPath, nullptr, 0}, modelId, workPtr, workSize, weightPtr,
                     weightSize);
  });
}

ACLSIM_EXPORT aclError aclmdlLoadFromMemWithMem(const void *model, size_t modelSize, uint32_t *modelId, void *workPtr,
                                                size_t workSize, void *weightPtr, size_t weightSize) {
  return Guarded("aclmdlLoadFromMemWithMem", kFaultable, [&]() -> aclError {
    return LoadModel("aclmdlLoadFromMemWithMem", Source{nullptr, static_cast<const uint8_t *>(model), modelSize},
                     modelId, workPtr, workSize, weightPtr, weightSize);
  });
}

ACLSIM_EXPORT aclError aclmdlQuerySize(const char *fileName, size_t *workSize, size_t *weightSize) {
  return Guarded("aclmdlQuerySize", kFaultable, [&]() -> aclError {
    if (fileName == nullptr) {
      TakePendingModelOptions();
      if (aclError code = RequireExecutor(); code != 0) return code;
      return Fail(acl::ACL_ERROR_INVALID_PARAM, "fileName is NULL");
    }
    return QuerySize(Source{fileName, nullptr, 0}, workSize, weightSize);
  });
}

ACLSIM_EXPORT aclError aclmdlQuerySizeFromMem(const void *model, size_t modelSize, size_t *workSize,
                                              size_t *weightSize) {
  return Guarded("aclmdlQuerySizeFromMem", kFaultable, [&]() -> aclError {
    return QuerySize(Source{nullptr, static_cast<const uint8_t *>(model), modelSize}, workSize, weightSize);
  });
}

ACLSIM_EXPORT aclError aclmdlUnload(uint32_t modelId) {
  return Guarded("aclmdlUnload", kFaultable, [&] { return Unload(modelId); });
}

ACLSIM_EXPORT aclError aclmdlExecute(uint32_t modelId, const aclmdlDataset *input, aclmdlDataset *output) {
  return Guarded("aclmdlExecute", kFaultable, [&] { return ExecuteSync(modelId, input, output); });
}

ACLSIM_EXPORT aclError aclmdlExecuteAsync(uint32_t modelId, const aclmdlDataset *input, aclmdlDataset *output,
                                          aclrtStream stream) {
  return Guarded("aclmdlExecuteAsync", kFaultable, [&] { return ExecuteAsync(modelId, input, output, stream); });
}

ACLSIM_EXPORT aclError aclmdlSetDynamicBatchSize(uint32_t modelId, aclmdlDataset *dataset, size_t index,
                                                 uint64_t batchSize) {
  return Guarded("aclmdlSetDynamicBatchSize", kFaultable,
                 [&] { return SetDynamicBatchSize(modelId, dataset, index, batchSize); });
}
