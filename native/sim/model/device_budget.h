// The MemoryBudget of one model execution: the tensors the executor makes while running the
// graph (intermediate values and results before they are stored) are charged to the model's
// device, like the work memory a card's runtime takes for a run. A graph whose shapes, known
// only at run time, need more than the device has left fails with 207001 naming the node and
// the tensor; the device and the model stay usable. While the run lasts, aclrtGetMemInfo and
// other allocations see the charge.
#ifndef ASCENDCL_SIM_MODEL_DEVICE_BUDGET_H_
#define ASCENDCL_SIM_MODEL_DEVICE_BUDGET_H_

#include <cstdint>
#include <memory>
#include <string>

#include "sim/device_memory.h"
#include "sim/executor/memory_budget.h"

namespace aclsim::model {

class DeviceBudget : public exec::MemoryBudget {
 public:
  // `memory` must outlive the budget and the tensors charged to it (devices live as long as the
  // process); `model_id` names the model in messages.
  DeviceBudget(DeviceMemory &memory, uint32_t model_id);

  exec::Status Take(size_t bytes, uint64_t *charged) override;
  void Give(uint64_t charged) override;

 private:
  DeviceMemory &memory_;
  const uint64_t generation_;
  const std::string what_;
};

}  // namespace aclsim::model

#endif  // ASCENDCL_SIM_MODEL_DEVICE_BUDGET_H_
