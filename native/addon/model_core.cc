#include "model_core.h"

#include <cstring>

#include "acl/acl_errors.h"
#include "context_binding.h"
#include "process_runtime.h"
#include "stream_core.h"

namespace ascendcl {
namespace {

std::string Join(const std::vector<std::pair<std::string, std::string>> &pairs) {
  std::string out;
  for (const auto &pair : pairs) out += (out.empty() ? "" : ",") + pair.first + ":" + pair.second;
  return out;
}

// The simulator's aclsimSetModelOptions text for a source's options.
std::string SimulatorOptions(const ModelSource &source) {
  std::string out;
  if (!source.gears.empty()) {
    out += "dynamicBatch=";
    for (size_t i = 0; i < source.gears.size(); ++i) out += (i ? "," : "") + std::to_string(source.gears[i]);
  }
  if (!source.input_types.empty()) out += (out.empty() ? "" : ";") + std::string("inputTypes=") + Join(source.input_types);
  if (!source.output_types.empty()) out += (out.empty() ? "" : ";") + std::string("outputTypes=") + Join(source.output_types);
  return out;
}

std::vector<int64_t> DimsOf(const aclmdlIODims &dims) {
  size_t count = dims.dimCount < ACL_MAX_DIM_CNT ? dims.dimCount : ACL_MAX_DIM_CNT;
  return std::vector<int64_t>(dims.dims, dims.dims + count);
}

void Describe(aclmdlDesc *desc, LoadedModel *out) {
  const acl::FunctionTable &fn = Acl();
  size_t inputs = fn.aclmdlGetNumInputs(desc);
  for (size_t i = 0; i < inputs; ++i) {
    IoDesc io;
    const char *name = fn.aclmdlGetInputNameByIndex(desc, i);
    io.name = name != nullptr ? name : "";
    aclmdlIODims dims{};
    if (fn.aclmdlGetInputDims(desc, i, &dims) == 0) io.dims = DimsOf(dims);
    io.data_type = fn.aclmdlGetInputDataType(desc, i);
    io.format = fn.aclmdlGetInputFormat(desc, i);
    io.byte_size = fn.aclmdlGetInputSizeByIndex(desc, i);
    out->inputs.push_back(std::move(io));
  }
  size_t outputs = fn.aclmdlGetNumOutputs(desc);
  for (size_t i = 0; i < outputs; ++i) {
    IoDesc io;
    const char *name = fn.aclmdlGetOutputNameByIndex(desc, i);
    io.name = name != nullptr ? name : "";
    aclmdlIODims dims{};
    if (fn.aclmdlGetOutputDims(desc, i, &dims) == 0) io.dims = DimsOf(dims);
    io.data_type = fn.aclmdlGetOutputDataType(desc, i);
    io.format = fn.aclmdlGetOutputFormat(desc, i);
    io.byte_size = fn.aclmdlGetOutputSizeByIndex(desc, i);
    out->outputs.push_back(std::move(io));
  }
  // The probe the reference describes: only a dynamic-batch model has this input.
  size_t hidden = 0;
  if (fn.aclmdlGetInputIndexByName(desc, ACL_DYNAMIC_TENSOR_NAME, &hidden) == 0) {
    out->hidden_input = static_cast<int>(hidden);
  }
  aclmdlBatch batch{};
  if (fn.aclmdlGetDynamicBatch(desc, &batch) == 0) {
    for (size_t i = 0; i < batch.batchCount && i < ACL_MAX_BATCH_NUM; ++i) out->gears.push_back(batch.batch[i]);
  }
  fn.aclGetRecentErrMsg();  // the probes above fail on static models; that is not an error
}

// On hardware the options describe how ATC compiled the .om: check that they agree.
std::string Mismatch(const ModelSource &source, const LoadedModel &model) {
  if (!source.gears.empty() && source.gears != model.gears) {
    std::string have;
    for (uint64_t gear : model.gears) have += (have.empty() ? "" : ",") + std::to_string(gear);
    return "dynamicBatch does not match the model's gears [" + have + "]";
  }
  auto check = [](const std::vector<std::pair<std::string, std::string>> &wanted, const std::vector<IoDesc> &ios,
                  const char *what) -> std::string {
    for (const auto &pair : wanted) {
      bool found = false;
      for (const IoDesc &io : ios) {
        if (io.name != pair.first) continue;
        found = true;
        if (DataTypeName(io.data_type) != pair.second) {
          return std::string(what) + " '" + pair.first + "' is " + DataTypeName(io.data_type) + " in the model, not " +
                 pair.second;
        }
      }
      if (!found) return std::string("the model has no ") + what + " named '" + pair.first + "'";
    }
    return "";
  };
  std::string problem = check(source.input_types, model.inputs, "input");
  return problem.empty() ? check(source.output_types, model.outputs, "output") : problem;
}

// Frees what one execution built, on every path out of Execute.
struct ExecScratch {
  explicit ExecScratch(const acl::FunctionTable &table) : fn(table) {}
  const acl::FunctionTable &fn;
  aclmdlDataset *in = nullptr;
  aclmdlDataset *out = nullptr;
  std::vector<aclDataBuffer *> buffers;
  std::vector<aclTensorDesc *> descs;
  std::vector<void *> auto_outputs;  // memory the runtime allocated for (NULL, 0) outputs
  ~ExecScratch() {
    for (aclDataBuffer *buffer : buffers) fn.aclDestroyDataBuffer(buffer);
    for (aclTensorDesc *desc : descs) fn.aclDestroyTensorDesc(desc);
    for (void *ptr : auto_outputs) fn.aclrtFree(ptr);
    if (in != nullptr) fn.aclmdlDestroyDataset(in);
    if (out != nullptr) fn.aclmdlDestroyDataset(out);
  }
  aclDataBuffer *Buffer(void *data, size_t size) {
    aclDataBuffer *buffer = fn.aclCreateDataBuffer(data, size);
    if (buffer != nullptr) buffers.push_back(buffer);
    return buffer;
  }
};

// Record a runtime failure just returned by `api` (reads its recent message now) and pass the
// code on.
int Captured(AclFailure *failure, int rc, const char *api, int device) {
  *failure = CaptureFailure(rc, api, device);
  return rc;
}

int Fail(AclFailure *failure, int code, const char *api, int device, std::string message) {
  *failure = BindingFailure(code, api, device, std::move(message));
  return code;
}

}  // namespace

std::string FormatName(int format) {
  switch (format) {
    case ACL_FORMAT_NCHW: return "NCHW";
    case ACL_FORMAT_NHWC: return "NHWC";
    case ACL_FORMAT_ND: return "ND";
    case ACL_FORMAT_NC1HWC0: return "NC1HWC0";
    case ACL_FORMAT_FRACTAL_Z: return "FRACTAL_Z";
    case ACL_FORMAT_NC1HWC0_C04: return "NC1HWC0_C04";
    case ACL_FORMAT_HWCN: return "HWCN";
    case ACL_FORMAT_NDHWC: return "NDHWC";
    case ACL_FORMAT_FRACTAL_NZ: return "FRACTAL_NZ";
    case ACL_FORMAT_NCDHW: return "NCDHW";
    case ACL_FORMAT_NDC1HWC0: return "NDC1HWC0";
    case ACL_FRACTAL_Z_3D: return "FRACTAL_Z_3D";
    case ACL_FORMAT_NC: return "NC";
    case ACL_FORMAT_NCL: return "NCL";
    case ACL_FORMAT_UNDEFINED: return "UNDEFINED";
    default: return "FORMAT_" + std::to_string(format);
  }
}

std::string DataTypeName(int data_type) {
  switch (data_type) {
    case ACL_FLOAT: return "float32";
    case ACL_FLOAT16: return "float16";
    case ACL_INT8: return "int8";
    case ACL_INT32: return "int32";
    case ACL_UINT8: return "uint8";
    case ACL_INT16: return "int16";
    case ACL_UINT16: return "uint16";
    case ACL_UINT32: return "uint32";
    case ACL_INT64: return "int64";
    case ACL_UINT64: return "uint64";
    case ACL_DOUBLE: return "float64";
    case ACL_BOOL: return "bool";
    case ACL_BF16: return "bfloat16";
    default: return "unknown(" + std::to_string(data_type) + ")";
  }
}

size_t DataTypeBytes(int data_type) {
  switch (data_type) {
    case ACL_INT8: case ACL_UINT8: case ACL_BOOL: return 1;
    case ACL_FLOAT16: case ACL_INT16: case ACL_UINT16: case ACL_BF16: return 2;
    case ACL_FLOAT: case ACL_INT32: case ACL_UINT32: return 4;
    case ACL_INT64: case ACL_UINT64: case ACL_DOUBLE: return 8;
    default: return 0;
  }
}

int LoadModelHere(const ModelSource &source, bool simulator, LoadedModel *out, AclFailure *failure) {
  const acl::FunctionTable &fn = Acl();
  int device = -1;
  fn.aclrtGetDevice(&device);
  const acl::SimTable *sim = ProcessRuntime::Instance().sim();
  if (simulator && sim != nullptr) {
    std::string options = SimulatorOptions(source);
    int rc = sim->aclsimSetModelOptions(options.empty() ? nullptr : options.c_str());
    if (rc != 0) {
      *failure = CaptureFailure(rc, "aclsimSetModelOptions", device);
      return rc;
    }
  }
  uint32_t id = 0;
  int rc = source.path.empty() ? fn.aclmdlLoadFromMem(source.bytes.data(), source.bytes.size(), &id)
                               : fn.aclmdlLoadFromFile(source.path.c_str(), &id);
  if (rc != 0) {
    *failure = CaptureFailure(rc, source.path.empty() ? "aclmdlLoadFromMem" : "aclmdlLoadFromFile", device);
    if (simulator && sim != nullptr) sim->aclsimSetModelOptions(nullptr);
    return rc;
  }
  aclmdlDesc *desc = fn.aclmdlCreateDesc();
  rc = desc == nullptr ? acl::ACL_ERROR_BAD_ALLOC : fn.aclmdlGetDesc(desc, id);
  if (rc != 0) {
    *failure = CaptureFailure(rc, "aclmdlGetDesc", device);
    if (desc != nullptr) fn.aclmdlDestroyDesc(desc);
    fn.aclmdlUnload(id);
    return rc;
  }
  LoadedModel model;
  model.id = id;
  model.desc = desc;
  Describe(desc, &model);
  if (!simulator) {
    std::string problem = Mismatch(source, model);
    if (!problem.empty()) {
      fn.aclmdlDestroyDesc(desc);
      fn.aclmdlUnload(id);
      return Fail(failure, acl::ACL_ERROR_GE_PARAM_INVALID, "loadModel", device,
                  "the model options do not match the compiled model: " + problem);
    }
  }
  *out = std::move(model);
  return 0;
}

ModelCore::ModelCore(std::shared_ptr<DeviceCore> device, LoadedModel loaded, std::string origin)
    : DeviceChild(std::move(device), Kind::kModel), loaded_(std::move(loaded)), origin_(std::move(origin)) {
  this->device().stats().models += 1;
  input_staging_.resize(loaded_.inputs.size(), {nullptr, 0});
  output_staging_.resize(loaded_.outputs.size(), {nullptr, 0});
}

ModelCore::~ModelCore() { Release(); }

int ModelCore::OrderBefore(aclrtStream stream, AclFailure *failure) {
  std::shared_ptr<StreamCore> previous = order_stream_.lock();
  if (!order_recorded_ || previous == nullptr || previous->handle() == stream) return 0;
  int rc = Acl().aclrtStreamWaitEvent(stream, order_event_);
  return rc == 0 ? 0 : Captured(failure, rc, "aclrtStreamWaitEvent", device().id());
}

int ModelCore::RecordAfter(const std::shared_ptr<StreamCore> &stream, AclFailure *failure) {
  if (order_event_ == nullptr) {
    int rc = Acl().aclrtCreateEventWithFlag(&order_event_, ACL_EVENT_SYNC);
    if (rc != 0) return Captured(failure, rc, "aclrtCreateEventWithFlag", device().id());
  }
  int rc = Acl().aclrtRecordEvent(order_event_, stream->handle());
  if (rc != 0) return Captured(failure, rc, "aclrtRecordEvent", device().id());
  order_recorded_ = true;
  order_stream_ = stream;
  order_host_funcs_before_ = stream->host_funcs_launched();
  return 0;
}

bool ModelCore::LatestStreamExecutionWaitsOnHostFunc() const {
  std::shared_ptr<StreamCore> stream = order_stream_.lock();
  return order_recorded_ && stream != nullptr && stream->HostFuncsUnfinishedAmongFirst(order_host_funcs_before_);
}

void *ModelCore::Staging(std::vector<std::pair<void *, size_t>> *slots, size_t index, size_t bytes,
                         AclFailure *failure) {
  std::pair<void *, size_t> &slot = (*slots)[index];
  if (slot.first != nullptr && slot.second >= bytes) return slot.first;
  DevicePool &pool = device().pool();
  if (slot.first != nullptr) {
    pool.Release(slot.first, slot.second);
    slot = {nullptr, 0};
  }
  void *ptr = nullptr;
  int rc = pool.Acquire(bytes, &ptr);
  if (rc != 0) {
    *failure = CaptureFailure(rc, "aclrtMalloc", device().id());
    return nullptr;
  }
  slot = {ptr, bytes};
  return ptr;
}

void ModelCore::FreeStaging() {
  for (auto *slots : {&input_staging_, &output_staging_}) {
    for (auto &slot : *slots) {
      if (slot.first != nullptr) device().pool().Release(slot.first, slot.second);
      slot = {nullptr, 0};
    }
  }
  if (batch_staging_ != nullptr) device().pool().Release(batch_staging_, 8);
  batch_staging_ = nullptr;
}

int ModelCore::Execute(const ExecPlan &plan, std::vector<ExecResult> *results, AclFailure *failure) {
  std::lock_guard<std::mutex> lock(run_mutex_);
  const acl::FunctionTable &fn = Acl();
  const int device_id = device().id();
  if (released_) return Fail(failure, acl::ACL_ERROR_INVALID_MODEL_ID, "aclmdlExecute", device_id, "the model is closed");
  ExecScratch scratch(fn);
  scratch.in = fn.aclmdlCreateDataset();
  scratch.out = fn.aclmdlCreateDataset();
  if (scratch.in == nullptr || scratch.out == nullptr) {
    return Fail(failure, acl::ACL_ERROR_BAD_ALLOC, "aclmdlCreateDataset", device_id, "out of host memory");
  }

  size_t visible = 0;
  for (size_t i = 0; i < loaded_.inputs.size(); ++i) {
    void *ptr = nullptr;
    size_t size = 0;
    if (static_cast<int>(i) == loaded_.hidden_input) {
      if (batch_staging_ == nullptr) {
        int rc = device().pool().Acquire(8, &batch_staging_);
        if (rc != 0) return Captured(failure, rc, "aclrtMalloc", device_id);
      }
      ptr = batch_staging_;
      size = 8;
    } else {
      if (visible >= plan.inputs.size()) {
        return Fail(failure, acl::ACL_ERROR_INVALID_PARAM, "aclmdlExecute", device_id, "too few inputs");
      }
      const ExecInput &input = plan.inputs[visible++];
      if (input.device != nullptr) {
        ptr = input.device;
        size = input.device_size;
      } else {
        size = input.host_size;
        ptr = Staging(&input_staging_, i, size, failure);
        if (ptr == nullptr) return failure->code;
        if (size > 0) {
          int rc = fn.aclrtMemcpy(ptr, input_staging_[i].second, input.host, size, ACL_MEMCPY_HOST_TO_DEVICE);
          if (rc != 0) return Captured(failure, rc, "aclrtMemcpy", device_id);
        }
      }
    }
    aclDataBuffer *buffer = scratch.Buffer(ptr, size);
    int rc = buffer == nullptr ? acl::ACL_ERROR_BAD_ALLOC : fn.aclmdlAddDatasetBuffer(scratch.in, buffer);
    if (rc != 0) return Captured(failure, rc, "aclmdlAddDatasetBuffer", device_id);
  }
  if (loaded_.hidden_input >= 0) {
    int rc = fn.aclmdlSetDynamicBatchSize(loaded_.id, scratch.in, static_cast<size_t>(loaded_.hidden_input), plan.batch);
    if (rc != 0) return Captured(failure, rc, "aclmdlSetDynamicBatchSize", device_id);
  }
  // Inputs whose desc has run-time dims get their actual dims (the dynamic-shape path).
  visible = 0;
  for (size_t i = 0; i < loaded_.inputs.size(); ++i) {
    if (static_cast<int>(i) == loaded_.hidden_input) continue;
    const ExecInput &input = plan.inputs[visible++];
    if (input.dims.empty()) continue;
    const IoDesc &io = loaded_.inputs[i];
    aclTensorDesc *desc = fn.aclCreateTensorDesc(static_cast<aclDataType>(io.data_type), static_cast<int>(input.dims.size()),
                                                 input.dims.data(), static_cast<aclFormat>(io.format));
    if (desc == nullptr) return Fail(failure, acl::ACL_ERROR_BAD_ALLOC, "aclCreateTensorDesc", device_id, "out of memory");
    scratch.descs.push_back(desc);
    int rc = fn.aclmdlSetDatasetTensorDesc(scratch.in, desc, i);
    if (rc != 0) return Captured(failure, rc, "aclmdlSetDatasetTensorDesc", device_id);
  }

  for (size_t j = 0; j < loaded_.outputs.size(); ++j) {
    const ExecOutput &output = plan.outputs[j];
    void *ptr = output.device;
    size_t size = output.device_size;
    if (ptr == nullptr && loaded_.outputs[j].byte_size > 0) {
      size = loaded_.outputs[j].byte_size;
      ptr = Staging(&output_staging_, j, size, failure);
      if (ptr == nullptr) return failure->code;
    }
    aclDataBuffer *buffer = scratch.Buffer(ptr, ptr == nullptr ? 0 : size);  // (NULL, 0): the runtime allocates
    int rc = buffer == nullptr ? acl::ACL_ERROR_BAD_ALLOC : fn.aclmdlAddDatasetBuffer(scratch.out, buffer);
    if (rc != 0) return Captured(failure, rc, "aclmdlAddDatasetBuffer", device_id);
  }

  int rc = fn.aclmdlExecute(loaded_.id, scratch.in, scratch.out);
  if (rc != 0) return Captured(failure, rc, "aclmdlExecute", device_id);

  results->assign(loaded_.outputs.size(), ExecResult{});
  for (size_t j = 0; j < loaded_.outputs.size(); ++j) {
    ExecResult &result = (*results)[j];
    const ExecOutput &output = plan.outputs[j];
    aclDataBuffer *buffer = fn.aclmdlGetDatasetBuffer(scratch.out, j);
    void *ptr = fn.aclGetDataBufferAddr(buffer);
    bool auto_allocated = output.device == nullptr && loaded_.outputs[j].byte_size == 0;
    if (auto_allocated && ptr != nullptr) scratch.auto_outputs.push_back(ptr);
    // Actual dims: the output tensor desc the runtime fills, else the current gear's dims.
    result.data_type = loaded_.outputs[j].data_type;
    if (aclTensorDesc *desc = fn.aclmdlGetDatasetTensorDesc(scratch.out, j)) {
      size_t count = fn.aclGetTensorDescNumDims(desc);
      for (size_t d = 0; d < count && d < ACL_MAX_DIM_CNT; ++d) {
        int64_t dim = 0;
        fn.aclGetTensorDescDimV2(desc, d, &dim);
        result.dims.push_back(dim);
      }
    } else {
      aclmdlIODims dims{};
      if (fn.aclmdlGetCurOutputDims(loaded_.desc, j, &dims) == 0) result.dims = DimsOf(dims);
      else result.dims = loaded_.outputs[j].dims;
    }
    size_t elements = 1;
    for (int64_t dim : result.dims) elements *= dim > 0 ? static_cast<size_t>(dim) : 0;
    result.bytes = elements * DataTypeBytes(result.data_type);
    if (output.to_host) {
      result.host = std::shared_ptr<uint8_t>(new (std::nothrow) uint8_t[result.bytes ? result.bytes : 1],
                                             std::default_delete<uint8_t[]>());
      if (result.host == nullptr) return Fail(failure, acl::ACL_ERROR_BAD_ALLOC, "aclmdlExecute", device_id, "out of host memory");
      if (result.bytes > 0) {
        rc = fn.aclrtMemcpy(result.host.get(), result.bytes, ptr, result.bytes, ACL_MEMCPY_DEVICE_TO_HOST);
        if (rc != 0) return Captured(failure, rc, "aclrtMemcpy", device_id);
      }
    } else if (output.keep_on_device && output.device == nullptr) {
      if (auto_allocated) {
        scratch.auto_outputs.pop_back();  // the caller owns it now
        result.device = ptr;
      } else {
        rc = device().pool().Acquire(result.bytes, &result.device);
        if (rc != 0) return Captured(failure, rc, "aclrtMalloc", device_id);
        result.pooled = true;
        if (result.bytes > 0) {
          rc = fn.aclrtMemcpy(result.device, result.bytes, ptr, result.bytes, ACL_MEMCPY_DEVICE_TO_DEVICE);
          if (rc != 0) return Captured(failure, rc, "aclrtMemcpy", device_id);
        }
      }
    }
  }
  return 0;
}

void ModelCore::Unpin() {
  if (--pins_ == 0 && closed_) Release();
}

void ModelCore::Close() {
  if (closed_) return;
  closed_ = true;
  if (pins_ == 0) Release();
}

void ModelCore::CloseForParent() {
  closed_ = true;
  Release();
}

void ModelCore::Release() {
  if (released_) return;
  std::lock_guard<std::mutex> lock(run_mutex_);
  released_ = true;
  closed_ = true;
  BindContext(device().context());
  FreeStaging();
  Acl().aclmdlUnload(loaded_.id);
  if (loaded_.desc != nullptr) Acl().aclmdlDestroyDesc(loaded_.desc);
  loaded_.desc = nullptr;
  if (order_event_ != nullptr) Acl().aclrtDestroyEvent(order_event_);
  order_event_ = nullptr;
  DiscardRecentMessages();
  device().stats().models -= 1;
  Unregister();
}

}  // namespace ascendcl
