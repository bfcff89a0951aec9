#include "sim/model/host_objects.h"

#include "sim/recent_errors.h"
#include "sim/util.h"

namespace aclsim::model {

const char *ObjectKindName(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::kDataBuffer: return "aclDataBuffer";
    case ObjectKind::kTensorDesc: return "aclTensorDesc";
    case ObjectKind::kDataset: return "aclmdlDataset";
    case ObjectKind::kModelDesc: return "aclmdlDesc";
  }
  return "object";
}

HostObjects &HostObjects::Get() {
  static HostObjects *const objects = new HostObjects();  // never destroyed: used until exit
  return *objects;
}

std::shared_ptr<HostObject> HostObjects::FindAny(const void *handle, ObjectKind kind, const char *role) const {
  if (handle == nullptr) {
    QueueMessage(Sprintf("%s is NULL", role));
    return nullptr;
  }
  std::shared_ptr<HostObject> object;
  {
    std::shared_lock lock(mu_);
    auto it = live_.find(handle);
    if (it != live_.end()) object = it->second;
  }
  const std::string address = Hex(reinterpret_cast<uint64_t>(handle));
  if (object == nullptr) {
    QueueMessage(Sprintf("%s %s is not a live %s (already destroyed, or not created by this library)", role,
                         address.c_str(), ObjectKindName(kind)));
    return nullptr;
  }
  if (object->kind() != kind) {
    QueueMessage(Sprintf("%s %s is an %s, not an %s", role, address.c_str(), ObjectKindName(object->kind()),
                         ObjectKindName(kind)));
    return nullptr;
  }
  return object;
}

std::shared_ptr<HostObject> HostObjects::Remove(const void *handle) {
  std::shared_ptr<HostObject> object;
  std::unique_lock lock(mu_);
  auto it = live_.find(handle);
  if (it == live_.end()) return nullptr;
  object = std::move(it->second);
  live_.erase(it);
  return object;
}

size_t HostObjects::Count(ObjectKind kind) const {
  std::shared_lock lock(mu_);
  size_t count = 0;
  for (const auto &[handle, object] : live_) count += object->kind() == kind ? 1 : 0;
  return count;
}

}  // namespace aclsim::model
