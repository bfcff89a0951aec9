#include "sim/model/model_registry.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "sim/executor/thread_pool.h"
#include "sim/handles.h"
#include "sim/model/model.h"

namespace aclsim::model {
namespace {

struct Registry {
  HandleRegistry<Model> models;
  std::mutex pool_mu;
  std::shared_ptr<exec::ThreadPool> pool;
};

Registry &Get() {
  static Registry *const registry = new Registry();  // never destroyed (see state.h)
  return *registry;
}

void ReleaseAll(const std::vector<std::shared_ptr<Model>> &models) {
  for (const auto &model : models) RemoveModel(model);
}

}  // namespace

uint32_t NextModelId() {
  static std::atomic<uint64_t> next{1};
  uint64_t id = next.fetch_add(1, std::memory_order_relaxed);
  return id <= UINT32_MAX ? static_cast<uint32_t>(id) : 0;
}

void AddModel(std::shared_ptr<Model> model) {
  uint32_t id = model->id();
  Get().models.Insert(id, std::move(model));
}

std::shared_ptr<Model> FindModel(uint32_t id) { return Get().models.Find(id); }

void RemoveModel(const std::shared_ptr<Model> &model) {
  Get().models.Remove(model->id());
  model->Release(/*refuse_queued=*/false);
}

void ReleaseModelsOfContext(uint64_t context_id) {
  ReleaseAll(Get().models.Select([context_id](const Model &m) { return m.context_id() == context_id; }));
}

void ReleaseModelsOfDevice(int device, uint64_t seq_cut) {
  ReleaseAll(Get().models.Select([=](const Model &m) { return m.device() == device && m.origin().seq <= seq_cut; }));
}

void StartExecutorPool(int threads) {
  auto pool = std::make_shared<exec::ThreadPool>(std::max(1, threads));
  std::lock_guard<std::mutex> lock(Get().pool_mu);
  Get().pool = std::move(pool);
}

void StopExecutorPool() {
  std::shared_ptr<exec::ThreadPool> pool;
  {
    std::lock_guard<std::mutex> lock(Get().pool_mu);
    pool.swap(Get().pool);
  }
  // Joined here, outside the lock, unless an execution still holds it.
}

std::shared_ptr<exec::ThreadPool> ExecutorPool() {
  std::lock_guard<std::mutex> lock(Get().pool_mu);
  return Get().pool;
}

std::vector<ModelSummary> LiveModels() {
  std::vector<ModelSummary> out;
  for (const auto &model : Get().models.Select([](const Model &) { return true; })) {
    ModelSummary summary;
    summary.id = model->id();
    summary.device = model->device();
    summary.source = model->source();
    summary.origin = model->origin();
    summary.queued_executions = model->QueuedExecutions(nullptr);
    out.push_back(std::move(summary));
  }
  std::sort(out.begin(), out.end(), [](const ModelSummary &a, const ModelSummary &b) { return a.id < b.id; });
  return out;
}

}  // namespace aclsim::model
