// What the tensors of a run are charged against. The executor knows no device; the model layer
// charges an execution's values to its device's memory, so that a graph whose run-time shapes
// need more than the device has fails with 207001, as on a card, instead of taking the host's
// memory (found by the model-loader fuzzer: a 593-byte model broadcast a Mean over 1.2 GiB).
//
// A budget is installed per thread for a scope (BudgetScope); Tensor::Allocate charges the
// current one, and the pool's workers charge the budget of the loop they are helping with.
// A tensor gives its charge back when its storage is freed, whichever thread that is on.
#ifndef ASCENDCL_SIM_EXECUTOR_MEMORY_BUDGET_H_
#define ASCENDCL_SIM_EXECUTOR_MEMORY_BUDGET_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "sim/executor/status.h"

namespace aclsim::exec {

class MemoryBudget {
 public:
  virtual ~MemoryBudget() = default;
  // Charges the storage of one tensor of `bytes`: *charged is what Give must hand back. When the
  // bytes are not available, an error (kDeviceOutOfMemory) saying how much is in use.
  virtual Status Take(size_t bytes, uint64_t *charged) = 0;
  virtual void Give(uint64_t charged) = 0;
};

// The budget charged by tensors allocated on this thread; nullptr (nothing charged) outside any
// BudgetScope.
const std::shared_ptr<MemoryBudget> &CurrentBudget();

// Installs `budget` on this thread for the scope's lifetime (the previous one is restored).
class BudgetScope {
 public:
  explicit BudgetScope(std::shared_ptr<MemoryBudget> budget);
  ~BudgetScope();
  BudgetScope(const BudgetScope &) = delete;
  BudgetScope &operator=(const BudgetScope &) = delete;

 private:
  std::shared_ptr<MemoryBudget> previous_;
};

}  // namespace aclsim::exec

#endif  // ASCENDCL_SIM_EXECUTOR_MEMORY_BUDGET_H_
