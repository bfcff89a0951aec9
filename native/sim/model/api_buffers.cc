// Data buffers, tensor descriptors, element sizes and float16 (reference §4.8, §5.7).
//
// Plain host objects: they work before aclInit, like the runtime's. Handles are checked against
// the host-object registry, so a destroyed or foreign handle is reported instead of dereferenced.
#include <limits>

#include "common/float16.h"
#include "sim/model/api_guard.h"
#include "sim/model/data_types.h"
#include "sim/model/host_objects.h"
#include "sim/util.h"

using namespace aclsim;
using namespace aclsim::model;

namespace {

// Element count of a descriptor: the product of the dims, 1 for a scalar, 0 when a dim is
// negative (unknown) or the product overflows size_t.
size_t ElementCount(const TensorDescValue &value) {
  size_t count = 1;
  for (int64_t dim : value.dims) {
    if (dim < 0) return 0;
    if (dim != 0 && count > std::numeric_limits<size_t>::max() / static_cast<uint64_t>(dim)) return 0;
    count *= static_cast<size_t>(dim);
  }
  return count;
}

}  // namespace

// --- data buffers ------------------------------------------------------------------------------

ACLSIM_EXPORT aclDataBuffer *aclCreateDataBuffer(void *data, size_t size) {
  return GuardedValue<aclDataBuffer *>("aclCreateDataBuffer", kFaultable, nullptr, [&]() -> aclDataBuffer * {
    // No validation, as in the runtime: (NULL, 0) is how callers ask for an auto-allocated output.
    return HostObjects::Get().Add(std::make_shared<aclDataBuffer>(data, size));
  });
}

ACLSIM_EXPORT aclError aclDestroyDataBuffer(const aclDataBuffer *dataBuffer) {
  return Guarded("aclDestroyDataBuffer", kFaultable, [&]() -> aclError {
    if (HostObjects::Get().Find<aclDataBuffer>(dataBuffer, "dataBuffer") == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
    // Never frees the memory it points to; a dataset that still lists it reports it at execution.
    HostObjects::Get().Remove(dataBuffer);
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclUpdateDataBuffer(aclDataBuffer *dataBuffer, void *data, size_t size) {
  return Guarded("aclUpdateDataBuffer", kFaultable, [&]() -> aclError {
    std::shared_ptr<aclDataBuffer> buffer = HostObjects::Get().Find<aclDataBuffer>(dataBuffer, "dataBuffer");
    if (buffer == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
    buffer->data.store(data, std::memory_order_relaxed);
    buffer->size.store(size, std::memory_order_relaxed);
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT void *aclGetDataBufferAddr(const aclDataBuffer *dataBuffer) {
  return GuardedValue<void *>("aclGetDataBufferAddr", kFaultable, nullptr, [&]() -> void * {
    std::shared_ptr<aclDataBuffer> buffer = HostObjects::Get().Find<aclDataBuffer>(dataBuffer, "dataBuffer");
    return buffer != nullptr ? buffer->data.load(std::memory_order_relaxed) : nullptr;
  });
}

ACLSIM_EXPORT size_t aclGetDataBufferSizeV2(const aclDataBuffer *dataBuffer) {
  return GuardedValue<size_t>("aclGetDataBufferSizeV2", kFaultable, 0, [&]() -> size_t {
    std::shared_ptr<aclDataBuffer> buffer = HostObjects::Get().Find<aclDataBuffer>(dataBuffer, "dataBuffer");
    return buffer != nullptr ? buffer->size.load(std::memory_order_relaxed) : 0;
  });
}

ACLSIM_EXPORT size_t aclDataTypeSize(aclDataType dataType) {
  return GuardedValue<size_t>("aclDataTypeSize", kFaultable, 0,
                              [&]() -> size_t { return AclDataTypeSize(RawEnum(dataType)); });
}

ACLSIM_EXPORT float aclFloat16ToFloat(aclFloat16 value) {
  return GuardedValue<float>("aclFloat16ToFloat", kFaultable, 0.0f,
                             [&]() -> float { return ascendcl::HalfToFloat(value); });
}

ACLSIM_EXPORT aclFloat16 aclFloatToFloat16(float value) {
  return GuardedValue<aclFloat16>("aclFloatToFloat16", kFaultable, 0,
                                  [&]() -> aclFloat16 { return ascendcl::FloatToHalf(value); });
}

// --- tensor descriptors ------------------------------------------------------------------------

ACLSIM_EXPORT aclTensorDesc *aclCreateTensorDesc(aclDataType dataType, int numDims, const int64_t *dims,
                                                 aclFormat format) {
  return GuardedValue<aclTensorDesc *>("aclCreateTensorDesc", kFaultable, nullptr, [&]() -> aclTensorDesc * {
    if (numDims < 0) {
      QueueMessage(Sprintf("numDims %d is negative", numDims));
      return nullptr;
    }
    if (numDims > 0 && dims == nullptr) {
      QueueMessage(Sprintf("dims is NULL but numDims is %d", numDims));
      return nullptr;
    }
    TensorDescValue value;
    value.data_type = RawEnum(dataType);
    value.format = RawEnum(format);
    value.dims.assign(dims, dims + numDims);
    return HostObjects::Get().Add(std::make_shared<aclTensorDesc>(std::move(value), /*dataset_owned=*/false));
  });
}

ACLSIM_EXPORT void aclDestroyTensorDesc(const aclTensorDesc *desc) {
  GuardedVoid("aclDestroyTensorDesc", kFaultable, [&] {
    if (desc == nullptr) return;  // like delete
    std::shared_ptr<aclTensorDesc> found = HostObjects::Get().Find<aclTensorDesc>(desc, "desc");
    if (found == nullptr) return;
    if (found->owned_by_dataset) {
      QueueMessage(Sprintf("desc %s belongs to a dataset (aclmdlGetDatasetTensorDesc returned it): the dataset "
                           "releases it, so it was not destroyed",
                           Hex(reinterpret_cast<uint64_t>(desc)).c_str()));
      return;
    }
    HostObjects::Get().Remove(desc);
  });
}

ACLSIM_EXPORT aclDataType aclGetTensorDescType(const aclTensorDesc *desc) {
  return GuardedValue<aclDataType>("aclGetTensorDescType", kFaultable, ACL_DT_UNDEFINED, [&]() -> aclDataType {
    std::shared_ptr<aclTensorDesc> found = HostObjects::Get().Find<aclTensorDesc>(desc, "desc");
    return found != nullptr ? EnumFromRaw<aclDataType>(found->Get().data_type) : ACL_DT_UNDEFINED;
  });
}

ACLSIM_EXPORT aclFormat aclGetTensorDescFormat(const aclTensorDesc *desc) {
  return GuardedValue<aclFormat>("aclGetTensorDescFormat", kFaultable, ACL_FORMAT_UNDEFINED, [&]() -> aclFormat {
    std::shared_ptr<aclTensorDesc> found = HostObjects::Get().Find<aclTensorDesc>(desc, "desc");
    return found != nullptr ? EnumFromRaw<aclFormat>(found->Get().format) : ACL_FORMAT_UNDEFINED;
  });
}

ACLSIM_EXPORT size_t aclGetTensorDescElementCount(const aclTensorDesc *desc) {
  return GuardedValue<size_t>("aclGetTensorDescElementCount", kFaultable, 0, [&]() -> size_t {
    std::shared_ptr<aclTensorDesc> found = HostObjects::Get().Find<aclTensorDesc>(desc, "desc");
    return found != nullptr ? ElementCount(found->Get()) : 0;
  });
}

ACLSIM_EXPORT size_t aclGetTensorDescSize(const aclTensorDesc *desc) {
  return GuardedValue<size_t>("aclGetTensorDescSize", kFaultable, 0, [&]() -> size_t {
    std::shared_ptr<aclTensorDesc> found = HostObjects::Get().Find<aclTensorDesc>(desc, "desc");
    if (found == nullptr) return 0;
    TensorDescValue value = found->Get();
    size_t count = ElementCount(value);
    size_t element = AclDataTypeSize(value.data_type);
    if (element != 0 && count > std::numeric_limits<size_t>::max() / element) return 0;
    return count * element;
  });
}

ACLSIM_EXPORT size_t aclGetTensorDescNumDims(const aclTensorDesc *desc) {
  return GuardedValue<size_t>("aclGetTensorDescNumDims", kFaultable, 0, [&]() -> size_t {
    std::shared_ptr<aclTensorDesc> found = HostObjects::Get().Find<aclTensorDesc>(desc, "desc");
    if (found == nullptr) return 0;
    TensorDescValue value = found->Get();
    // A first dim of -2 marks an unknown rank (GE's convention).
    if (!value.dims.empty() && value.dims[0] == -2) return static_cast<size_t>(ACL_UNKNOWN_RANK);
    return value.dims.size();
  });
}

ACLSIM_EXPORT aclError aclGetTensorDescDimV2(const aclTensorDesc *desc, size_t index, int64_t *dimSize) {
  return Guarded("aclGetTensorDescDimV2", kFaultable, [&]() -> aclError {
    std::shared_ptr<aclTensorDesc> found = HostObjects::Get().Find<aclTensorDesc>(desc, "desc");
    if (found == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
    if (dimSize == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "dimSize is NULL");
    TensorDescValue value = found->Get();
    if (index >= value.dims.size()) {
      return Fail(acl::ACL_ERROR_INVALID_PARAM, "index %zu is out of range: the descriptor has %zu dims", index,
                  value.dims.size());
    }
    *dimSize = value.dims[index];
    return ACL_SUCCESS;
  });
}
