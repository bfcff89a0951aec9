#include "sim/report.h"

#include <algorithm>
#include <vector>

#include "sim/model/model_registry.h"
#include "sim/state.h"
#include "sim/util.h"

namespace aclsim {
namespace {

struct PerDevice {
  uint64_t allocations = 0, device_bytes = 0, consumed = 0, streams = 0, events = 0, pending = 0, models = 0;
  int ref_count = 0;
  bool lost = false;
};

}  // namespace

std::string BuildStatsJson() {
  State &state = State::Get();
  const bool initialized = state.initialized.load(std::memory_order_acquire);
  const int count = initialized ? state.device_count.load(std::memory_order_acquire) : 0;
  std::vector<PerDevice> devices(static_cast<size_t>(count));
  for (int d = 0; d < count; ++d) {
    Device &device = state.device(d);
    DeviceMemory::Totals totals = device.memory.totals();
    PerDevice &p = devices[static_cast<size_t>(d)];
    p.allocations = totals.allocations;
    p.device_bytes = totals.requested;
    p.consumed = totals.consumed;
    {
      std::lock_guard<std::mutex> lock(device.mu);
      p.ref_count = device.ref_count;
    }
    p.lost = device.lost_code.load(std::memory_order_acquire) != 0;
  }
  uint64_t user_streams = 0, pending = 0;
  for (const auto &stream : state.streams.Select([](const Stream &) { return true; })) {
    size_t n = stream->pending();
    pending += n;
    if (stream->device() < count) {
      devices[static_cast<size_t>(stream->device())].pending += n;
      if (!stream->is_default()) ++devices[static_cast<size_t>(stream->device())].streams;
    }
    if (!stream->is_default()) ++user_streams;
  }
  uint64_t events = 0;
  for (const auto &event : state.events.Select([](const Event &) { return true; })) {
    ++events;
    if (event->device() < count) ++devices[static_cast<size_t>(event->device())].events;
  }
  uint64_t models = 0;
  for (const model::ModelSummary &m : model::LiveModels()) {
    ++models;
    if (m.device < count) ++devices[static_cast<size_t>(m.device)].models;
  }
  uint64_t contexts = state.contexts.Select([](const Context &c) { return !c.is_default(); }).size();
  HostMemory::Totals host = state.host_memory.totals();

  uint64_t allocations = 0, device_bytes = 0, consumed = 0;
  for (const PerDevice &p : devices) {
    allocations += p.allocations;
    device_bytes += p.device_bytes;
    consumed += p.consumed;
  }
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  std::string json = Sprintf(
      "{\"initialized\":%s,\"devices\":%d,\"allocations\":%llu,\"deviceBytes\":%llu,\"deviceBytesConsumed\":%llu,"
      "\"hostAllocations\":%llu,\"hostBytes\":%llu,\"contexts\":%llu,\"streams\":%llu,\"events\":%llu,\"models\":%llu,"
      "\"pendingTasks\":%llu,\"callbackSubscriptions\":%llu,\"workerThreads\":%d,\"perDevice\":[",
      initialized ? "true" : "false", count, u(allocations), u(device_bytes), u(consumed), u(host.allocations),
      u(host.bytes), u(contexts), u(user_streams), u(events), u(models), u(pending),
      u(state.callbacks.subscription_count()),
      state.scheduler.worker_count());
  for (int d = 0; d < count; ++d) {
    const PerDevice &p = devices[static_cast<size_t>(d)];
    json += Sprintf(
        "%s{\"id\":%d,\"allocations\":%llu,\"deviceBytes\":%llu,\"deviceBytesConsumed\":%llu,\"streams\":%llu,"
        "\"events\":%llu,\"models\":%llu,\"pendingTasks\":%llu,\"refCount\":%d,\"lost\":%s}",
        d == 0 ? "" : ",", d, u(p.allocations), u(p.device_bytes), u(p.consumed), u(p.streams), u(p.events),
        u(p.models), u(p.pending), p.ref_count, p.lost ? "true" : "false");
  }
  json += "]}";
  return json;
}

std::string BuildLeakReport() {
  State &state = State::Get();
  struct Line {
    uint64_t seq;
    std::string text;
  };
  std::vector<Line> lines;
  auto origin = [](const Origin &o) {
    return Sprintf("%s on thread %llu, #%llu", o.api, static_cast<unsigned long long>(o.thread),
                   static_cast<unsigned long long>(o.seq));
  };
  const int count = state.device_count.load(std::memory_order_acquire);
  for (int d = 0; d < count; ++d) {
    for (const auto &a : state.device(d).memory.Live()) {
      lines.push_back({a->origin().seq, Sprintf("device allocation: %llu bytes at %s on device %d, %s",
                                                static_cast<unsigned long long>(a->size()), Hex(a->address()).c_str(), d,
                                                origin(a->origin()).c_str())});
    }
  }
  for (const auto &a : state.host_memory.Live()) {
    lines.push_back({a->origin().seq, Sprintf("pinned host allocation: %llu bytes at %s (device %d), %s",
                                              static_cast<unsigned long long>(a->size()), Hex(a->address()).c_str(),
                                              a->device(), origin(a->origin()).c_str())});
  }
  for (const auto &c : state.contexts.Select([](const Context &c) { return !c.is_default(); })) {
    lines.push_back({c->origin().seq, Sprintf("context %s on device %d, %s", Hex(c->id()).c_str(), c->device(),
                                              origin(c->origin()).c_str())});
  }
  for (const auto &s : state.streams.Select([](const Stream &s) { return !s.is_default(); })) {
    lines.push_back({s->origin().seq, Sprintf("stream %s on device %d, %s, %zu tasks pending", Hex(s->id()).c_str(),
                                              s->device(), origin(s->origin()).c_str(), s->pending())});
  }
  for (const auto &e : state.events.Select([](const Event &) { return true; })) {
    lines.push_back({e->origin().seq, Sprintf("event %s on device %d, %s", Hex(e->id()).c_str(), e->device(),
                                              origin(e->origin()).c_str())});
  }
  for (const model::ModelSummary &m : model::LiveModels()) {
    std::string source = m.source == "from memory" ? m.source : "\"" + m.source + "\"";
    std::string queued = m.queued_executions == 0 ? "" : Sprintf(", %zu execution(s) queued", m.queued_executions);
    lines.push_back({m.origin.seq, Sprintf("model %u (%s) on device %d, %s%s", m.id, source.c_str(), m.device,
                                           origin(m.origin).c_str(), queued.c_str())});
  }
  std::sort(lines.begin(), lines.end(), [](const Line &a, const Line &b) { return a.seq < b.seq; });
  for (int d = 0; d < count; ++d) {
    Device &device = state.device(d);
    int refs = 0;
    {
      std::lock_guard<std::mutex> lock(device.mu);
      refs = device.ref_count;
    }
    if (refs > 0) {
      lines.push_back({UINT64_MAX, Sprintf("device %d: still set, reference count %d (aclrtSetDevice without a matching "
                                           "aclrtResetDevice)", d, refs)});
    }
  }
  if (lines.empty()) return "ascendcl simulator leak report: nothing is live\n";
  std::string out = Sprintf("ascendcl simulator leak report: %zu still live\n", lines.size());
  for (const Line &line : lines) out += "  " + line.text + "\n";
  return out;
}

}  // namespace aclsim
