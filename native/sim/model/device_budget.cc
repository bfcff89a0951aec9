#include "sim/model/device_budget.h"

#include "sim/util.h"

namespace aclsim::model {

DeviceBudget::DeviceBudget(DeviceMemory &memory, uint32_t model_id)
    : memory_(memory), generation_(memory.generation()), what_(Sprintf("a value computed by model %u", model_id)) {}

exec::Status DeviceBudget::Take(size_t bytes, uint64_t *charged) {
  std::string why;
  uint64_t generation = 0;
  if (!memory_.TryCharge(bytes, what_.c_str(), charged, &generation, &why)) {
    return exec::Status::Error(exec::kDeviceOutOfMemory, why);
  }
  if (generation != generation_) {  // aclFinalize and aclInit happened during the run
    memory_.Uncharge(*charged, generation);
    return exec::Status::Error(exec::kDeviceOutOfMemory, "the device's memory was released during the run");
  }
  return exec::Status::Ok();
}

void DeviceBudget::Give(uint64_t charged) { memory_.Uncharge(charged, generation_); }

}  // namespace aclsim::model
