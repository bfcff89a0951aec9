// One loaded model: the executable graph, how it presents itself (its signature), the device and
// context it belongs to, the device capacity its weights consume, and the bookkeeping of its
// stream executions.
//
// Shared ownership is the lifetime rule, as for allocations: the registry holds one reference and
// every execution in progress (a synchronous one on an API thread, an asynchronous one queued on a
// stream) holds another. Unloading (or a device reset, or aclFinalize) releases the model — its
// id becomes unknown and its capacity is returned — while executions already running finish on
// the graph they hold.
#ifndef ASCENDCL_SIM_MODEL_MODEL_H_
#define ASCENDCL_SIM_MODEL_MODEL_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "acl/acl_abi.h"
#include "sim/allocation.h"
#include "sim/executor/executable.h"
#include "sim/model/signature.h"

namespace aclsim::model {

// Device capacity a model consumes (DeviceMemory::Charge).
struct WeightCharge {
  uint64_t bytes = 0;  // consumed bytes; 0 when nothing was charged
  uint64_t generation = 0;
};

class Model {
 public:
  Model(uint32_t id, int device, uint64_t context_id, Origin origin, std::string source,
        std::shared_ptr<const exec::Executable> graph, std::shared_ptr<const ModelSignature> signature,
        WeightCharge charge, std::vector<std::shared_ptr<Allocation>> caller_memory);
  ~Model();
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;

  uint32_t id() const { return id_; }
  int device() const { return device_; }
  uint64_t context_id() const { return context_id_; }
  const Origin &origin() const { return origin_; }
  const std::string &source() const { return source_; }  // the file it was loaded from, or "from memory"
  const exec::Executable &graph() const { return *graph_; }
  const std::shared_ptr<const ModelSignature> &signature() const { return signature_; }

  // The gear last set by aclmdlSetDynamicBatchSize or used by an execution (0: none yet).
  uint64_t current_batch() const { return current_batch_.load(std::memory_order_relaxed); }
  void set_current_batch(uint64_t batch) { current_batch_.store(batch, std::memory_order_relaxed); }

  // One model never runs on two streams at once (107037). Executions enqueued on different
  // streams are fine when the caller orders them (an event recorded after one, waited for before
  // the next): the rule is broken only when an execution starts while one enqueued earlier on
  // another stream has not finished. So:
  //   BeginStreamExecution  at enqueue on `stream_id`: fails with 107037 (message queued) when an
  //                         execution on another stream has not finished and the target stream is
  //                         idle (`stream_idle`: the new one would start at once); 100011 once the
  //                         model is released. Otherwise returns the execution's sequence number.
  //   ConflictAtStart       when it starts: an execution enqueued earlier on another stream that
  //                         has not finished, if any (the stream execution then fails with 107037).
  //   EndStreamExecution    it finished, was dropped, or was never enqueued.
  struct StreamExecution {
    uint64_t seq = 0;
    uint64_t stream_id = 0;
  };
  aclError BeginStreamExecution(uint64_t stream_id, bool stream_idle, uint64_t *seq);
  bool ConflictAtStart(uint64_t seq, uint64_t stream_id, StreamExecution *conflict) const;
  void EndStreamExecution(uint64_t seq);
  // Stream executions not finished yet, and the stream of the oldest.
  size_t QueuedExecutions(uint64_t *stream_id) const;

  // Unload: fails (false, nothing changed) while stream executions are queued and `refuse_queued`
  // is set; otherwise marks the model released and returns its device capacity. Idempotent.
  bool Release(bool refuse_queued);
  bool released() const;

 private:
  const uint32_t id_;
  const int device_;
  const uint64_t context_id_;
  const Origin origin_;
  const std::string source_;
  const std::shared_ptr<const exec::Executable> graph_;
  const std::shared_ptr<const ModelSignature> signature_;
  // Work and weight memory the caller supplied (aclmdlLoad*WithMem): kept alive while the model is.
  const std::vector<std::shared_ptr<Allocation>> caller_memory_;
  std::atomic<uint64_t> current_batch_{0};

  mutable std::mutex mu_;  // guards what follows
  WeightCharge charge_;
  bool released_ = false;
  uint64_t next_seq_ = 1;
  std::vector<StreamExecution> stream_executions_;  // unfinished, in enqueue order
};

}  // namespace aclsim::model

#endif  // ASCENDCL_SIM_MODEL_MODEL_H_
