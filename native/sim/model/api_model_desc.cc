// Model descriptions (reference §4.9, §5.8): what a model's inputs and outputs are, filled from a
// loaded model (aclmdlGetDesc), a file or a memory image (aclmdlGetDescFrom*).
//
// Getters follow the runtime's conventions for bad arguments: a NULL or unfilled description or
// an index out of range gives 0, "" (not NULL), ACL_DT_UNDEFINED or ACL_FORMAT_UNDEFINED from the
// value getters and 100000 from the functions that return a code; a message is queued either way.
// Names returned stay valid until the description is destroyed or filled again.
#include <algorithm>
#include <cstring>

#include "sim/model/api_guard.h"
#include "sim/model/data_types.h"
#include "sim/model/host_objects.h"
#include "sim/model/model.h"
#include "sim/model/model_loader.h"
#include "sim/model/model_registry.h"
#include "sim/util.h"

using namespace aclsim;
using namespace aclsim::model;

namespace {

const char *const kEmpty = "";

// The filled description behind `handle`, or nullptr (message queued).
std::shared_ptr<const ModelSignature> SignatureOf(const aclmdlDesc *handle, uint32_t *model_id = nullptr) {
  std::shared_ptr<aclmdlDesc> desc = HostObjects::Get().Find<aclmdlDesc>(handle, "modelDesc");
  if (desc == nullptr) return nullptr;
  aclmdlDesc::Contents contents = desc->Get();
  if (contents.signature == nullptr) {
    QueueMessage(Sprintf("modelDesc %s describes no model yet: fill it with aclmdlGetDesc, aclmdlGetDescFromFile or "
                         "aclmdlGetDescFromMem",
                         Hex(reinterpret_cast<uint64_t>(handle)).c_str()));
    return nullptr;
  }
  if (model_id != nullptr) *model_id = contents.model_id;
  return contents.signature;
}

// The input (is_output false) or output `index` of the description, or nullptr (message queued).
const IoSpec *SpecOf(const ModelSignature &sig, bool is_output, size_t index) {
  const std::vector<IoSpec> &specs = is_output ? sig.outputs : sig.inputs;
  if (index < specs.size()) return &specs[index];
  QueueMessage(Sprintf("index %zu is out of range: the model has %zu %s", index, specs.size(),
                       is_output ? "output(s)" : "input(s)"));
  return nullptr;
}

// GE's stand-in for a name that does not fit aclmdlIODims.name (127 characters and the NUL):
// acl_modelId_<id>_<input|output>_<index>_<n>, where n (GE: random) is a hash of the full name
// here, so that the same model always reports the same stand-in.
std::string IoDimsName(const std::string &name, uint32_t model_id, bool is_output, size_t index) {
  if (name.size() < ACL_MAX_TENSOR_NAME_LEN) return name;
  uint32_t hash = 2166136261u;  // FNV-1a
  for (unsigned char c : name) hash = (hash ^ c) * 16777619u;
  return Sprintf("acl_modelId_%u_%s_%zu_%u", model_id, is_output ? "output" : "input", index, hash);
}

aclError FillIoDims(const ModelSignature &sig, uint32_t model_id, bool is_output, size_t index, const exec::Shape &dims,
                    aclmdlIODims *out) {
  const IoSpec &spec = (is_output ? sig.outputs : sig.inputs)[index];
  if (dims.size() > ACL_MAX_DIM_CNT) {
    return Fail(acl::ACL_ERROR_INVALID_PARAM, "%s %zu '%s' has %zu dims, more than aclmdlIODims holds (%d)",
                is_output ? "output" : "input", index, spec.name.c_str(), dims.size(), ACL_MAX_DIM_CNT);
  }
  std::memset(out, 0, sizeof(*out));
  std::string name = IoDimsName(spec.name, model_id, is_output, index);
  std::memcpy(out->name, name.c_str(), std::min(name.size(), size_t{ACL_MAX_TENSOR_NAME_LEN - 1}));
  out->dimCount = dims.size();
  std::copy(dims.begin(), dims.end(), out->dims);
  return ACL_SUCCESS;
}

aclError GetDims(const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims, bool is_output) {
  uint32_t model_id = 0;
  std::shared_ptr<const ModelSignature> sig = SignatureOf(modelDesc, &model_id);
  if (sig == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
  if (dims == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "dims is NULL");
  const IoSpec *spec = SpecOf(*sig, is_output, index);
  if (spec == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
  // Outputs of a dynamic-batch model are reported at the largest gear (reference §5.8).
  exec::Shape shape = is_output && !sig->gears.empty() ? sig->OutputDimsAtBatch(index, sig->max_gear()) : spec->dims;
  return FillIoDims(*sig, model_id, is_output, index, shape, dims);
}

// The loaded model a description came from, if it is still loaded.
std::shared_ptr<Model> LoadedModelOf(uint32_t model_id) {
  if (model_id == 0) return nullptr;
  std::shared_ptr<Model> model = FindModel(model_id);
  return model != nullptr && !model->released() ? model : nullptr;
}

aclError DescribeBytes(aclmdlDesc *modelDesc, const uint8_t *bytes, size_t size, const std::string &base_dir,
                       const ModelOptions &options) {
  std::shared_ptr<aclmdlDesc> desc = HostObjects::Get().Find<aclmdlDesc>(modelDesc, "modelDesc");
  if (desc == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
  LoadedGraph loaded;
  if (aclError code = LoadGraph(bytes, size, base_dir, options, &loaded); code != 0) return code;
  desc->Set(aclmdlDesc::Contents{loaded.signature, 0});
  return ACL_SUCCESS;
}

size_t CountOf(aclmdlDesc *modelDesc, bool is_output) {
  std::shared_ptr<const ModelSignature> sig = SignatureOf(modelDesc);
  if (sig == nullptr) return 0;
  return is_output ? sig->outputs.size() : sig->inputs.size();
}

size_t SizeOf(aclmdlDesc *modelDesc, size_t index, bool is_output) {
  std::shared_ptr<const ModelSignature> sig = SignatureOf(modelDesc);
  const IoSpec *spec = sig != nullptr ? SpecOf(*sig, is_output, index) : nullptr;
  return spec != nullptr ? static_cast<size_t>(spec->size) : 0;
}

const char *NameOf(const aclmdlDesc *modelDesc, size_t index, bool is_output) {
  std::shared_ptr<const ModelSignature> sig = SignatureOf(modelDesc);
  const IoSpec *spec = sig != nullptr ? SpecOf(*sig, is_output, index) : nullptr;
  // The description holds the signature, so the string outlives this call.
  return spec != nullptr ? spec->name.c_str() : kEmpty;
}

aclFormat FormatOf(const aclmdlDesc *modelDesc, size_t index, bool is_output) {
  std::shared_ptr<const ModelSignature> sig = SignatureOf(modelDesc);
  const IoSpec *spec = sig != nullptr ? SpecOf(*sig, is_output, index) : nullptr;
  return spec != nullptr ? EnumFromRaw<aclFormat>(spec->format) : ACL_FORMAT_UNDEFINED;
}

aclDataType TypeOf(const aclmdlDesc *modelDesc, size_t index, bool is_output) {
  std::shared_ptr<const ModelSignature> sig = SignatureOf(modelDesc);
  const IoSpec *spec = sig != nullptr ? SpecOf(*sig, is_output, index) : nullptr;
  return spec != nullptr ? EnumFromRaw<aclDataType>(ToAcl(spec->type)) : ACL_DT_UNDEFINED;
}

aclError IndexByName(const aclmdlDesc *modelDesc, const char *name, size_t *index, bool is_output) {
  std::shared_ptr<const ModelSignature> sig = SignatureOf(modelDesc);
  if (sig == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
  if (name == nullptr || index == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "name and index must not be NULL");
  const std::vector<IoSpec> &specs = is_output ? sig->outputs : sig->inputs;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].name == name) {
      *index = i;
      return ACL_SUCCESS;
    }
  }
  return Fail(acl::ACL_ERROR_INVALID_PARAM, "the model has no %s named '%s'", is_output ? "output" : "input", name);
}

}  // namespace

ACLSIM_EXPORT aclmdlDesc *aclmdlCreateDesc(void) {
  return GuardedValue<aclmdlDesc *>("aclmdlCreateDesc", kFaultable, nullptr,
                                    []() -> aclmdlDesc * { return HostObjects::Get().Add(std::make_shared<aclmdlDesc>()); });
}

ACLSIM_EXPORT aclError aclmdlDestroyDesc(aclmdlDesc *modelDesc) {
  return Guarded("aclmdlDestroyDesc", kFaultable, [&]() -> aclError {
    if (HostObjects::Get().Find<aclmdlDesc>(modelDesc, "modelDesc") == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
    HostObjects::Get().Remove(modelDesc);
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclmdlGetDesc(aclmdlDesc *modelDesc, uint32_t modelId) {
  return Guarded("aclmdlGetDesc", kFaultable, [&]() -> aclError {
    if (aclError code = RequireExecutor(); code != 0) return code;
    std::shared_ptr<aclmdlDesc> desc = HostObjects::Get().Find<aclmdlDesc>(modelDesc, "modelDesc");
    if (desc == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
    std::shared_ptr<Model> model;
    if (aclError code = FindLoadedModel(modelId, &model); code != 0) return code;
    desc->Set(aclmdlDesc::Contents{model->signature(), modelId});
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclmdlGetDescFromFile(aclmdlDesc *modelDesc, const char *modelPath) {
  return Guarded("aclmdlGetDescFromFile", kFaultable, [&]() -> aclError {
    ModelOptions options = TakePendingModelOptions();
    if (aclError code = RequireExecutor(); code != 0) return code;
    if (modelPath == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "modelPath is NULL");
    if (HostObjects::Get().Find<aclmdlDesc>(modelDesc, "modelDesc") == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
    ModelFile file;
    if (aclError code = ReadModelFile(modelPath, &file); code != 0) return code;
    return DescribeBytes(modelDesc, file.bytes.data(), file.bytes.size(), file.base_dir, options);
  });
}

ACLSIM_EXPORT aclError aclmdlGetDescFromMem(aclmdlDesc *modelDesc, const void *model, size_t modelSize) {
  return Guarded("aclmdlGetDescFromMem", kFaultable, [&]() -> aclError {
    ModelOptions options = TakePendingModelOptions();
    if (aclError code = RequireExecutor(); code != 0) return code;
    if (model == nullptr || modelSize == 0) {
      return Fail(acl::ACL_ERROR_INVALID_PARAM, "model must not be NULL and modelSize must be positive");
    }
    return DescribeBytes(modelDesc, static_cast<const uint8_t *>(model), modelSize, "", options);
  });
}

ACLSIM_EXPORT size_t aclmdlGetNumInputs(aclmdlDesc *modelDesc) {
  return GuardedValue<size_t>("aclmdlGetNumInputs", kFaultable, 0, [&] { return CountOf(modelDesc, false); });
}

ACLSIM_EXPORT size_t aclmdlGetNumOutputs(aclmdlDesc *modelDesc) {
  return GuardedValue<size_t>("aclmdlGetNumOutputs", kFaultable, 0, [&] { return CountOf(modelDesc, true); });
}

ACLSIM_EXPORT size_t aclmdlGetInputSizeByIndex(aclmdlDesc *modelDesc, size_t index) {
  return GuardedValue<size_t>("aclmdlGetInputSizeByIndex", kFaultable, 0,
                              [&] { return SizeOf(modelDesc, index, false); });
}

ACLSIM_EXPORT size_t aclmdlGetOutputSizeByIndex(aclmdlDesc *modelDesc, size_t index) {
  return GuardedValue<size_t>("aclmdlGetOutputSizeByIndex", kFaultable, 0,
                              [&] { return SizeOf(modelDesc, index, true); });
}

ACLSIM_EXPORT aclError aclmdlGetInputDims(const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims) {
  return Guarded("aclmdlGetInputDims", kFaultable, [&] { return GetDims(modelDesc, index, dims, false); });
}

ACLSIM_EXPORT aclError aclmdlGetInputDimsV2(const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims) {
  // V2 differs only for static-AIPP image inputs, which the simulator's models never have.
  return Guarded("aclmdlGetInputDimsV2", kFaultable, [&] { return GetDims(modelDesc, index, dims, false); });
}

ACLSIM_EXPORT aclError aclmdlGetOutputDims(const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims) {
  return Guarded("aclmdlGetOutputDims", kFaultable, [&] { return GetDims(modelDesc, index, dims, true); });
}

ACLSIM_EXPORT aclError aclmdlGetCurOutputDims(const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims) {
  return Guarded("aclmdlGetCurOutputDims", kFaultable, [&]() -> aclError {
    uint32_t model_id = 0;
    std::shared_ptr<const ModelSignature> sig = SignatureOf(modelDesc, &model_id);
    if (sig == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
    if (dims == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "dims is NULL");
    if (SpecOf(*sig, true, index) == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
    if (sig->gears.empty()) return FillIoDims(*sig, model_id, true, index, sig->outputs[index].dims, dims);
    // The gear set last (aclmdlSetDynamicBatchSize or an execution), else the largest.
    uint64_t batch = 0;
    if (std::shared_ptr<Model> model = LoadedModelOf(model_id)) batch = model->current_batch();
    if (batch == 0) batch = sig->max_gear();
    return FillIoDims(*sig, model_id, true, index, sig->OutputDimsAtBatch(index, batch), dims);
  });
}

ACLSIM_EXPORT const char *aclmdlGetInputNameByIndex(const aclmdlDesc *modelDesc, size_t index) {
  return GuardedValue<const char *>("aclmdlGetInputNameByIndex", kFaultable, kEmpty,
                                    [&] { return NameOf(modelDesc, index, false); });
}

ACLSIM_EXPORT const char *aclmdlGetOutputNameByIndex(const aclmdlDesc *modelDesc, size_t index) {
  return GuardedValue<const char *>("aclmdlGetOutputNameByIndex", kFaultable, kEmpty,
                                    [&] { return NameOf(modelDesc, index, true); });
}

ACLSIM_EXPORT aclFormat aclmdlGetInputFormat(const aclmdlDesc *modelDesc, size_t index) {
  return GuardedValue<aclFormat>("aclmdlGetInputFormat", kFaultable, ACL_FORMAT_UNDEFINED,
                                 [&] { return FormatOf(modelDesc, index, false); });
}

ACLSIM_EXPORT aclFormat aclmdlGetOutputFormat(const aclmdlDesc *modelDesc, size_t index) {
  return GuardedValue<aclFormat>("aclmdlGetOutputFormat", kFaultable, ACL_FORMAT_UNDEFINED,
                                 [&] { return FormatOf(modelDesc, index, true); });
}

ACLSIM_EXPORT aclDataType aclmdlGetInputDataType(const aclmdlDesc *modelDesc, size_t index) {
  return GuardedValue<aclDataType>("aclmdlGetInputDataType", kFaultable, ACL_DT_UNDEFINED,
                                   [&] { return TypeOf(modelDesc, index, false); });
}

ACLSIM_EXPORT aclDataType aclmdlGetOutputDataType(const aclmdlDesc *modelDesc, size_t index) {
  return GuardedValue<aclDataType>("aclmdlGetOutputDataType", kFaultable, ACL_DT_UNDEFINED,
                                   [&] { return TypeOf(modelDesc, index, true); });
}

ACLSIM_EXPORT aclError aclmdlGetInputIndexByName(const aclmdlDesc *modelDesc, const char *name, size_t *index) {
  return Guarded("aclmdlGetInputIndexByName", kFaultable, [&] { return IndexByName(modelDesc, name, index, false); });
}

ACLSIM_EXPORT aclError aclmdlGetOutputIndexByName(const aclmdlDesc *modelDesc, const char *name, size_t *index) {
  return Guarded("aclmdlGetOutputIndexByName", kFaultable, [&] { return IndexByName(modelDesc, name, index, true); });
}

ACLSIM_EXPORT aclError aclmdlGetDynamicBatch(const aclmdlDesc *modelDesc, aclmdlBatch *batch) {
  return Guarded("aclmdlGetDynamicBatch", kFaultable, [&]() -> aclError {
    std::shared_ptr<const ModelSignature> sig = SignatureOf(modelDesc);
    if (sig == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
    if (batch == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "batch is NULL");
    std::memset(batch, 0, sizeof(*batch));
    batch->batchCount = sig->gears.size();  // 0: not a dynamic-batch model
    std::copy(sig->gears.begin(), sig->gears.end(), batch->batch);
    return ACL_SUCCESS;
  });
}
