#include "sim/trace_recorder.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "sim/scheduler.h"
#include "sim/util.h"

namespace aclsim {

TraceRecorder &TraceRecorder::Get() {
  // Leaked on purpose, like the simulator's State: worker threads may record during exit().
  static TraceRecorder *recorder = new TraceRecorder();
  return *recorder;
}

void TraceRecorder::Start(size_t capacity) {
  std::lock_guard<std::mutex> lock(mu_);
  records_.clear();
  records_.reserve(std::min<size_t>(capacity, 4096));
  capacity_ = capacity;
  lost_ = 0;
  start_ns_ = NowNs();
  active_.store(true, std::memory_order_relaxed);
}

void TraceRecorder::Record(const Task &task, const Stream &stream) {
  if (task.started_ns() == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (!active_.load(std::memory_order_relaxed)) return;
  // A task that finished before the trace started belongs to no trace.
  if (task.finished_ns() != 0 && task.finished_ns() < start_ns_) return;
  if (records_.size() >= capacity_) {
    ++lost_;
    return;
  }
  int64_t finished = task.finished_ns() != 0 ? task.finished_ns() : NowNs();
  records_.push_back(Record_{stream.id(), stream.device(), task.api(), task.position(), task.enqueued_ns(),
                             task.started_ns(), finished});
}

std::string TraceRecorder::Stop() {
  std::vector<Record_> records;
  uint64_t lost;
  int64_t start;
  bool was_active;
  int64_t now = NowNs();
  {
    std::lock_guard<std::mutex> lock(mu_);
    was_active = active_.exchange(false, std::memory_order_relaxed);
    records.swap(records_);
    lost = lost_;
    start = start_ns_;
    lost_ = 0;
  }
  std::sort(records.begin(), records.end(),
            [](const Record_ &a, const Record_ &b) { return a.started_ns < b.started_ns; });
  std::string json;
  json.reserve(64 + records.size() * 160);
  char buf[320];
  std::snprintf(buf, sizeof buf, "{\"active\":%s,\"durationNs\":%" PRId64 ",\"lost\":%" PRIu64 ",\"records\":[",
                was_active ? "true" : "false", was_active ? now - start : 0, lost);
  json += buf;
  for (size_t i = 0; i < records.size(); ++i) {
    const Record_ &r = records[i];
    // Started before the trace (a long task still running at Start): clip to the trace's start.
    int64_t started = std::max(r.started_ns, start);
    std::snprintf(buf, sizeof buf,
                  "%s{\"stream\":\"%" PRIu64 "\",\"device\":%d,\"api\":\"%s\",\"position\":%" PRIu64
                  ",\"enqueuedNs\":%" PRId64 ",\"startNs\":%" PRId64 ",\"endNs\":%" PRId64 "}",
                  i == 0 ? "" : ",", r.stream, r.device, r.api, r.position, r.enqueued_ns - start, started - start,
                  r.finished_ns - start);
    json += buf;
  }
  json += "]}";
  return json;
}

}  // namespace aclsim
