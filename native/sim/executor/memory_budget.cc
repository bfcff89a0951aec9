#include "sim/executor/memory_budget.h"

#include <utility>

namespace aclsim::exec {
namespace {
thread_local std::shared_ptr<MemoryBudget> t_budget;
}  // namespace

const std::shared_ptr<MemoryBudget> &CurrentBudget() { return t_budget; }

BudgetScope::BudgetScope(std::shared_ptr<MemoryBudget> budget) : previous_(std::move(t_budget)) {
  t_budget = std::move(budget);
}

BudgetScope::~BudgetScope() { t_budget = std::move(previous_); }

}  // namespace aclsim::exec
