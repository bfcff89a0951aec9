// The loaded models of the process, their ids, and the executor's thread pool — plus the hooks
// the simulator core calls: device reset and context destruction release the models that belong
// to them, aclInit and aclFinalize start and stop the pool, and the reports list the models.
#ifndef ASCENDCL_SIM_MODEL_MODEL_REGISTRY_H_
#define ASCENDCL_SIM_MODEL_MODEL_REGISTRY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/allocation.h"

namespace aclsim::exec {
class ThreadPool;
}  // namespace aclsim::exec

namespace aclsim::model {

class Model;

// A new model id: 1, 2, 3 … never reused in the process; 0 once all 2^32 - 1 are used.
uint32_t NextModelId();

void AddModel(std::shared_ptr<Model> model);
// nullptr when `id` is not a loaded model.
std::shared_ptr<Model> FindModel(uint32_t id);
// Unregisters and releases (returns its capacity). The model object lives on while executions
// in progress hold it.
void RemoveModel(const std::shared_ptr<Model> &model);

// Called by the simulator core after a context's streams are gone (aclrtDestroyContext, device
// reset) and by device teardown for models up to sequence number `seq_cut`.
void ReleaseModelsOfContext(uint64_t context_id);
void ReleaseModelsOfDevice(int device, uint64_t seq_cut);

// The executor's threads (the `threads` option): created at aclInit, dropped at aclFinalize;
// an execution still running keeps the pool it started with until it finishes.
void StartExecutorPool(int threads);
void StopExecutorPool();
std::shared_ptr<exec::ThreadPool> ExecutorPool();

// For aclsimStatsJson and aclsimLeakReport.
struct ModelSummary {
  uint32_t id = 0;
  int device = 0;
  std::string source;  // the path, or "from memory"
  Origin origin;
  size_t queued_executions = 0;
};
std::vector<ModelSummary> LiveModels();

}  // namespace aclsim::model

#endif  // ASCENDCL_SIM_MODEL_MODEL_REGISTRY_H_
