#include "sim/model/execute_task.h"

#include <exception>
#include <new>

#include "acl/acl_errors.h"
#include "sim/util.h"

namespace aclsim::model {

ExecuteTask::ExecuteTask(Execution execution, uint64_t stream_id, uint64_t seq)
    : Task("aclmdlExecuteAsync"), execution_(std::move(execution)), stream_id_(stream_id), seq_(seq) {
  for (const BoundBuffer &in : execution_.inputs) {
    if (in.span.allocation != nullptr) Use(in.span.allocation, in.span.offset, in.given, /*write=*/false);
  }
  for (const BoundBuffer &out : execution_.outputs) {
    if (out.span.allocation != nullptr) Use(out.span.allocation, out.span.offset, out.given, /*write=*/true);
  }
}

ExecuteTask::~ExecuteTask() { Finish(); }

void ExecuteTask::Finish() {
  if (finished_) return;
  finished_ = true;
  execution_.model->EndStreamExecution(seq_);
}

TaskResult ExecuteTask::Run(TaskContext &ctx) {
  Model::StreamExecution conflict;
  if (execution_.model->ConflictAtStart(seq_, stream_id_, &conflict)) {
    ctx.SetError(acl::ACL_ERROR_RT_MODEL_RUNNING,
                 Sprintf("aclmdlExecuteAsync of model %u did not run: it started while an execution of the model "
                         "enqueued earlier on stream %s had not finished (one model cannot run on two streams at once; "
                         "order them with an event recorded after the earlier one)",
                         execution_.model->id(), Hex(conflict.stream_id).c_str()));
    Finish();
    return TaskResult::kDone;
  }
  exec::Status status;
  try {
    Computed computed;
    status = Compute(execution_, &computed);
    if (status.ok()) status = StoreOutputs(execution_, computed);
    if (status.ok()) Publish(execution_, computed);
  } catch (const std::bad_alloc &) {
    status = exec::Status::Error(exec::kOutOfMemory, "the host ran out of memory");
  } catch (const std::exception &e) {
    status = exec::InternalError("internal simulator error: %s", e.what());
  } catch (...) {
    status = exec::InternalError("internal simulator error (unknown exception)");
  }
  if (!status.ok()) {
    ctx.SetError(status.code(), Sprintf("aclmdlExecuteAsync of model %u failed: %s", execution_.model->id(),
                                        status.message().c_str()));
  }
  Finish();
  return TaskResult::kDone;
}

void ExecuteTask::Drop() { Finish(); }

}  // namespace aclsim::model
