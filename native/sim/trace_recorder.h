// Timeline trace of stream operations (aclsimTraceStart / aclsimTraceStop).
//
// The scheduler calls OnTaskFinished for every task it ran to completion; while a trace is
// active the recorder keeps the task's stream, device, API, queue position and its enqueue,
// start and finish times (steady clock, reported relative to the start of the trace). Recording
// is one relaxed atomic load when no trace is active, and a short leaf lock when one is.
#ifndef ASCENDCL_SIM_TRACE_RECORDER_H_
#define ASCENDCL_SIM_TRACE_RECORDER_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace aclsim {

class Stream;
class Task;

class TraceRecorder {
 public:
  static TraceRecorder &Get();

  // Starts a new trace (dropping any records of a trace still active). At most `capacity`
  // records are kept; later ones are counted as lost.
  void Start(size_t capacity);
  // Stops the trace and returns it as JSON:
  //   {"active":bool,"durationNs":n,"lost":n,"records":[{"stream":"<id>","device":d,"api":"...",
  //    "position":p,"enqueuedNs":t,"startNs":t,"endNs":t}, ...]}
  // Stream ids are decimal strings (64-bit handle values do not fit a JSON number). Times are
  // ns since Start; an operation enqueued before Start has a negative enqueuedNs.
  std::string Stop();

  // Scheduler hook: `task` of `stream` has finished (called under the stream's lock; takes only
  // the recorder's own lock). Tasks that never started (dropped) are not recorded.
  void OnTaskFinished(const Task &task, const Stream &stream) {
    if (active_.load(std::memory_order_relaxed)) Record(task, stream);
  }

 private:
  struct Record_ {
    uint64_t stream;
    int device;
    const char *api;  // static string of the task
    uint64_t position;
    int64_t enqueued_ns;
    int64_t started_ns;
    int64_t finished_ns;
  };
  void Record(const Task &task, const Stream &stream);

  std::atomic<bool> active_{false};
  std::mutex mu_;
  std::vector<Record_> records_;
  size_t capacity_ = 0;
  uint64_t lost_ = 0;
  int64_t start_ns_ = 0;
};

}  // namespace aclsim

#endif  // ASCENDCL_SIM_TRACE_RECORDER_H_
