#include "runtime_core.h"

#include "addon_data.h"
#include "device_core.h"

namespace ascendcl {

RuntimeCore::RuntimeCore(AddonData *data, RuntimeInfo info) : data_(data), info_(std::move(info)) {
  data_->runtimes.insert(this);
}

RuntimeCore::~RuntimeCore() { Close(); }

int64_t RuntimeCore::PendingOps() const {
  int64_t total = 0;
  for (const auto &entry : devices_) {
    if (std::shared_ptr<DeviceCore> device = entry.second.lock()) {
      device->ForEachChild([&total](DeviceChild *child) { total += child->PendingOps(); });
    }
  }
  return total;
}

int64_t RuntimeCore::PoolBytes() const {
  int64_t total = 0;
  for (const auto &entry : devices_) {
    if (std::shared_ptr<DeviceCore> device = entry.second.lock()) total += static_cast<int64_t>(device->pool().held());
  }
  return total;
}

std::shared_ptr<DeviceCore> RuntimeCore::OpenDevice(Napi::Env env, int id, const std::shared_ptr<RuntimeCore> &self) {
  auto found = devices_.find(id);
  if (found != devices_.end()) {
    if (std::shared_ptr<DeviceCore> device = found->second.lock()) {
      if (device->state() != DeviceCore::State::kClosed) return device;
    }
  }
  auto device = std::make_shared<DeviceCore>(env, self, id);
  devices_[id] = device;
  return device;
}

void RuntimeCore::Close() {
  if (closed_) return;
  closed_ = true;
  // Copy first: closing a device removes it from devices_.
  std::map<int, std::weak_ptr<DeviceCore>> devices = devices_;
  for (auto &entry : devices) {
    if (std::shared_ptr<DeviceCore> device = entry.second.lock()) device->Close();
  }
  devices_.clear();
  data_->runtimes.erase(this);
  ProcessRuntime::Instance().Release();
}

}  // namespace ascendcl
