#include "sim/model/model.h"

#include "acl/acl_errors.h"
#include "sim/recent_errors.h"
#include "sim/state.h"
#include "sim/util.h"

namespace aclsim::model {

Model::Model(uint32_t id, int device, uint64_t context_id, Origin origin, std::string source,
             std::shared_ptr<const exec::Executable> graph, std::shared_ptr<const ModelSignature> signature,
             WeightCharge charge, std::vector<std::shared_ptr<Allocation>> caller_memory)
    : id_(id),
      device_(device),
      context_id_(context_id),
      origin_(origin),
      source_(std::move(source)),
      graph_(std::move(graph)),
      signature_(std::move(signature)),
      caller_memory_(std::move(caller_memory)),
      charge_(charge) {}

Model::~Model() { Release(/*refuse_queued=*/false); }

aclError Model::BeginStreamExecution(uint64_t stream_id, bool stream_idle, uint64_t *seq) {
  std::lock_guard<std::mutex> lock(mu_);
  if (released_) {
    return Fail(acl::ACL_ERROR_INVALID_MODEL_ID, "model %u was unloaded", id_);
  }
  if (stream_idle) {
    for (const StreamExecution &other : stream_executions_) {
      if (other.stream_id == stream_id) continue;
      return Fail(acl::ACL_ERROR_RT_MODEL_RUNNING,
                  "model %u has an execution not finished on stream %s: one model cannot run on two streams at once; "
                  "synchronize that stream first, order the executions with an event (aclrtRecordEvent after one, "
                  "aclrtStreamWaitEvent before the next), or use one stream",
                  id_, Hex(other.stream_id).c_str());
    }
  }
  *seq = next_seq_++;
  stream_executions_.push_back(StreamExecution{*seq, stream_id});
  return ACL_SUCCESS;
}

bool Model::ConflictAtStart(uint64_t seq, uint64_t stream_id, StreamExecution *conflict) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const StreamExecution &other : stream_executions_) {
    if (other.seq >= seq) break;  // enqueued later: ordered after this one, or its own problem
    if (other.stream_id == stream_id) continue;
    *conflict = other;
    return true;
  }
  return false;
}

void Model::EndStreamExecution(uint64_t seq) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(stream_executions_, [seq](const StreamExecution &e) { return e.seq == seq; });
}

size_t Model::QueuedExecutions(uint64_t *stream_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (stream_id != nullptr) *stream_id = stream_executions_.empty() ? 0 : stream_executions_.front().stream_id;
  return stream_executions_.size();
}

bool Model::Release(bool refuse_queued) {
  WeightCharge charge;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (released_) return true;
    if (refuse_queued && !stream_executions_.empty()) return false;
    released_ = true;
    charge = charge_;
    charge_ = WeightCharge();
  }
  if (charge.bytes != 0) State::Get().device(device_).memory.Uncharge(charge.bytes, charge.generation);
  return true;
}

bool Model::released() const {
  std::lock_guard<std::mutex> lock(mu_);
  return released_;
}

}  // namespace aclsim::model
