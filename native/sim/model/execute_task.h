// aclmdlExecuteAsync's stream operation: one bound execution, run on the stream's worker thread.
//
// The task declares every buffer it reads (inputs) and writes (outputs) with Task::Use, so a
// strict aclrtFree of that memory is refused while the execution is queued, and the allocations
// stay alive until it is done. A failure becomes the stream's asynchronous error, reported by
// its next synchronize. When it starts while an execution of the model enqueued earlier on
// another stream has not finished, it does not run and fails with 107037 (Model's rule). It
// leaves the model's stream executions as soon as it finishes or is dropped — before a
// synchronize can observe it.
#ifndef ASCENDCL_SIM_MODEL_EXECUTE_TASK_H_
#define ASCENDCL_SIM_MODEL_EXECUTE_TASK_H_

#include "sim/model/execution.h"
#include "sim/scheduler.h"

namespace aclsim::model {

class ExecuteTask : public Task {
 public:
  // The model's BeginStreamExecution for `stream_id` returned `seq`; the task ends it exactly once.
  ExecuteTask(Execution execution, uint64_t stream_id, uint64_t seq);
  ~ExecuteTask() override;
  TaskResult Run(TaskContext &ctx) override;
  void Drop() override;

 private:
  void Finish();

  Execution execution_;
  const uint64_t stream_id_;
  const uint64_t seq_;
  bool finished_ = false;
};

}  // namespace aclsim::model

#endif  // ASCENDCL_SIM_MODEL_EXECUTE_TASK_H_
