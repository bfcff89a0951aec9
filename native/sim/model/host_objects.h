// The host-side objects of the model API — aclDataBuffer, aclTensorDesc, aclmdlDataset,
// aclmdlDesc — and the registry every exported function checks a handle against.
//
// The handles are real heap objects (callers hold them as opaque pointers, as with the real
// runtime), but no exported function touches one before the registry has confirmed that it is
// live and of the expected kind. A destroyed buffer, a dataset passed where a buffer is expected
// or a stray pointer is then reported (100000, with a message) instead of crashing, and a dataset
// that still lists a destroyed buffer fails its execution cleanly.
//
// Thread safety: the registry has its own lock. A tensor descriptor has a mutex because stream
// workers fill output descriptors while API threads may read other ones; a dataset has one
// because an asynchronous execution records its output descriptors into it. Data buffers hold
// their two fields in atomics, so a buffer updated on one thread while an execution on another
// reads it yields one value or the other, never undefined behaviour.
#ifndef ASCENDCL_SIM_MODEL_HOST_OBJECTS_H_
#define ASCENDCL_SIM_MODEL_HOST_OBJECTS_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "acl/acl_abi.h"

namespace aclsim::model {

class ModelSignature;

enum class ObjectKind : uint8_t { kDataBuffer, kTensorDesc, kDataset, kModelDesc };
// "aclDataBuffer", "aclTensorDesc", "aclmdlDataset", "aclmdlDesc"
const char *ObjectKindName(ObjectKind kind);

class HostObject {
 public:
  explicit HostObject(ObjectKind kind) : kind_(kind) {}
  virtual ~HostObject() = default;
  HostObject(const HostObject &) = delete;
  HostObject &operator=(const HostObject &) = delete;
  ObjectKind kind() const { return kind_; }

 private:
  const ObjectKind kind_;
};

// What a tensor descriptor says. Data type and format are kept as the raw ints the caller gave
// (the runtime does not validate them either).
struct TensorDescValue {
  int data_type = ACL_DT_UNDEFINED;
  int format = ACL_FORMAT_UNDEFINED;
  std::vector<int64_t> dims;
};

}  // namespace aclsim::model

struct aclDataBuffer : aclsim::model::HostObject {
  static constexpr aclsim::model::ObjectKind kKind = aclsim::model::ObjectKind::kDataBuffer;
  aclDataBuffer(void *d, size_t s) : HostObject(kKind), data(d), size(s) {}
  std::atomic<void *> data;
  std::atomic<size_t> size;
};

struct aclTensorDesc : aclsim::model::HostObject {
  static constexpr aclsim::model::ObjectKind kKind = aclsim::model::ObjectKind::kTensorDesc;
  aclTensorDesc(aclsim::model::TensorDescValue v, bool dataset_owned)
      : HostObject(kKind), owned_by_dataset(dataset_owned), value_(std::move(v)) {}
  aclsim::model::TensorDescValue Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return value_;
  }
  void Set(aclsim::model::TensorDescValue v) {
    std::lock_guard<std::mutex> lock(mu_);
    value_ = std::move(v);
  }
  // A descriptor a dataset made (aclmdlSetDatasetTensorDesc copies, execution results): the
  // dataset releases it, so aclDestroyTensorDesc refuses it.
  const bool owned_by_dataset;

 private:
  mutable std::mutex mu_;
  aclsim::model::TensorDescValue value_;
};

struct aclmdlDataset : aclsim::model::HostObject {
  static constexpr aclsim::model::ObjectKind kKind = aclsim::model::ObjectKind::kDataset;
  aclmdlDataset() : HostObject(kKind) {}
  // Guards everything below.
  mutable std::mutex mu;
  // In model input/output order. The dataset refers to the buffers (aclUpdateDataBuffer after
  // adding is seen); it never owns them.
  std::vector<aclDataBuffer *> buffers;
  // One slot per buffer: the descriptor set by aclmdlSetDatasetTensorDesc or filled by an
  // execution (owned, registered while the dataset lives).
  std::vector<std::shared_ptr<aclTensorDesc>> descs;
  // Set by aclmdlDestroyDataset: an asynchronous execution that finishes later records nothing.
  bool destroyed = false;
};

struct aclmdlDesc : aclsim::model::HostObject {
  static constexpr aclsim::model::ObjectKind kKind = aclsim::model::ObjectKind::kModelDesc;
  aclmdlDesc() : HostObject(kKind) {}
  struct Contents {
    std::shared_ptr<const aclsim::model::ModelSignature> signature;  // null until filled
    uint32_t model_id = 0;  // the loaded model it describes; 0 for a file or memory image
  };
  Contents Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return contents_;
  }
  void Set(Contents c) {
    std::lock_guard<std::mutex> lock(mu_);
    contents_ = std::move(c);
  }

 private:
  mutable std::mutex mu_;
  Contents contents_;
};

namespace aclsim::model {

// Live host objects by address.
class HostObjects {
 public:
  static HostObjects &Get();

  // Registers a new object; returns the handle callers get.
  template <typename T>
  T *Add(std::shared_ptr<T> object) {
    T *handle = object.get();
    std::unique_lock lock(mu_);
    live_[handle] = std::move(object);
    return handle;
  }

  // `handle` as a live T, or nullptr after queuing a message that names `role` and says why
  // (NULL, destroyed or never created, or another kind of object).
  template <typename T>
  std::shared_ptr<T> Find(const void *handle, const char *role) const {
    std::shared_ptr<HostObject> object = FindAny(handle, T::kKind, role);
    return std::static_pointer_cast<T>(std::move(object));
  }
  // The same without a message (for probes that report the problem themselves).
  template <typename T>
  std::shared_ptr<T> Peek(const void *handle) const {
    std::shared_lock lock(mu_);
    auto it = live_.find(handle);
    if (it == live_.end() || it->second->kind() != T::kKind) return nullptr;
    return std::static_pointer_cast<T>(it->second);
  }

  // Unregisters; the object is freed when the last holder (a queued execution) lets go.
  std::shared_ptr<HostObject> Remove(const void *handle);

  size_t Count(ObjectKind kind) const;

 private:
  HostObjects() = default;
  std::shared_ptr<HostObject> FindAny(const void *handle, ObjectKind kind, const char *role) const;

  mutable std::shared_mutex mu_;
  std::unordered_map<const void *, std::shared_ptr<HostObject>> live_;
};

}  // namespace aclsim::model

#endif  // ASCENDCL_SIM_MODEL_HOST_OBJECTS_H_
