// Datasets (reference §4.9, §5.7): ordered lists of data buffers, one per model input or output,
// with an optional tensor descriptor per buffer (the actual dims of a dynamic-shape input; the
// output descriptors an execution fills). Host objects: they work before aclInit.
#include "sim/model/api_guard.h"
#include "sim/model/host_objects.h"
#include "sim/util.h"

using namespace aclsim;
using namespace aclsim::model;

namespace {

// dataset.mu held. Forgets the descriptor of slot `index` (its handle becomes invalid).
void DropDesc(aclmdlDataset &dataset, size_t index) {
  if (dataset.descs[index] == nullptr) return;
  HostObjects::Get().Remove(dataset.descs[index].get());
  dataset.descs[index].reset();
}

}  // namespace

ACLSIM_EXPORT aclmdlDataset *aclmdlCreateDataset(void) {
  return GuardedValue<aclmdlDataset *>("aclmdlCreateDataset", kFaultable, nullptr, []() -> aclmdlDataset * {
    return HostObjects::Get().Add(std::make_shared<aclmdlDataset>());
  });
}

ACLSIM_EXPORT aclError aclmdlDestroyDataset(const aclmdlDataset *dataset) {
  return Guarded("aclmdlDestroyDataset", kFaultable, [&]() -> aclError {
    std::shared_ptr<aclmdlDataset> found = HostObjects::Get().Find<aclmdlDataset>(dataset, "dataset");
    if (found == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
    HostObjects::Get().Remove(dataset);
    // Frees the dataset and the descriptors it holds — never the buffers or their memory.
    std::lock_guard<std::mutex> lock(found->mu);
    found->destroyed = true;
    for (size_t i = 0; i < found->descs.size(); ++i) DropDesc(*found, i);
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclmdlAddDatasetBuffer(aclmdlDataset *dataset, aclDataBuffer *dataBuffer) {
  return Guarded("aclmdlAddDatasetBuffer", kFaultable, [&]() -> aclError {
    std::shared_ptr<aclmdlDataset> found = HostObjects::Get().Find<aclmdlDataset>(dataset, "dataset");
    if (found == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
    if (HostObjects::Get().Find<aclDataBuffer>(dataBuffer, "dataBuffer") == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
    std::lock_guard<std::mutex> lock(found->mu);
    found->buffers.push_back(dataBuffer);
    found->descs.emplace_back();
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT size_t aclmdlGetDatasetNumBuffers(const aclmdlDataset *dataset) {
  return GuardedValue<size_t>("aclmdlGetDatasetNumBuffers", kFaultable, 0, [&]() -> size_t {
    std::shared_ptr<aclmdlDataset> found = HostObjects::Get().Find<aclmdlDataset>(dataset, "dataset");
    if (found == nullptr) return 0;
    std::lock_guard<std::mutex> lock(found->mu);
    return found->buffers.size();
  });
}

ACLSIM_EXPORT aclDataBuffer *aclmdlGetDatasetBuffer(const aclmdlDataset *dataset, size_t index) {
  return GuardedValue<aclDataBuffer *>("aclmdlGetDatasetBuffer", kFaultable, nullptr, [&]() -> aclDataBuffer * {
    std::shared_ptr<aclmdlDataset> found = HostObjects::Get().Find<aclmdlDataset>(dataset, "dataset");
    if (found == nullptr) return nullptr;
    std::lock_guard<std::mutex> lock(found->mu);
    if (index >= found->buffers.size()) {
      QueueMessage(Sprintf("index %zu is out of range: the dataset has %zu buffer(s)", index, found->buffers.size()));
      return nullptr;
    }
    return found->buffers[index];
  });
}

ACLSIM_EXPORT aclError aclmdlSetDatasetTensorDesc(aclmdlDataset *dataset, aclTensorDesc *tensorDesc, size_t index) {
  return Guarded("aclmdlSetDatasetTensorDesc", kFaultable, [&]() -> aclError {
    std::shared_ptr<aclmdlDataset> found = HostObjects::Get().Find<aclmdlDataset>(dataset, "dataset");
    if (found == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
    std::shared_ptr<aclTensorDesc> source;
    if (tensorDesc != nullptr) {
      source = HostObjects::Get().Find<aclTensorDesc>(tensorDesc, "tensorDesc");
      if (source == nullptr) return acl::ACL_ERROR_INVALID_PARAM;
    }
    std::lock_guard<std::mutex> lock(found->mu);
    if (index >= found->buffers.size()) {
      return Fail(acl::ACL_ERROR_INVALID_PARAM,
                  "index %zu is out of range: the dataset has %zu buffer(s); add the buffer before its descriptor",
                  index, found->buffers.size());
    }
    if (source == nullptr) {  // NULL clears the slot
      DropDesc(*found, index);
      return ACL_SUCCESS;
    }
    // A copy: the caller keeps (and destroys) its own descriptor. A descriptor already in the slot
    // is updated in place, so a pointer aclmdlGetDatasetTensorDesc returned stays valid.
    TensorDescValue value = source->Get();
    if (found->descs[index] != nullptr) {
      found->descs[index]->Set(std::move(value));
    } else {
      auto copy = std::make_shared<aclTensorDesc>(std::move(value), /*dataset_owned=*/true);
      HostObjects::Get().Add(copy);
      found->descs[index] = std::move(copy);
    }
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclTensorDesc *aclmdlGetDatasetTensorDesc(const aclmdlDataset *dataset, size_t index) {
  return GuardedValue<aclTensorDesc *>("aclmdlGetDatasetTensorDesc", kFaultable, nullptr, [&]() -> aclTensorDesc * {
    std::shared_ptr<aclmdlDataset> found = HostObjects::Get().Find<aclmdlDataset>(dataset, "dataset");
    if (found == nullptr) return nullptr;
    std::lock_guard<std::mutex> lock(found->mu);
    if (index >= found->descs.size()) {
      QueueMessage(Sprintf("index %zu is out of range: the dataset has %zu buffer(s)", index, found->buffers.size()));
      return nullptr;
    }
    return found->descs[index].get();  // NULL when none was set and no execution filled it
  });
}
