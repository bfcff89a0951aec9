#include "sim/hazards.h"

#include <algorithm>

#include "acl/acl_errors.h"
#include "sim/recent_errors.h"
#include "sim/state.h"
#include "sim/util.h"

namespace aclsim {
namespace {

// The host callbacks the calling thread is running: (stream id, queue position).
thread_local std::vector<std::pair<uint64_t, uint64_t>> t_callbacks;

// Work behind a callback this thread is running cannot start yet.
bool BehindRunningCallback(const QueuedUse &use) {
  for (const auto &[stream, position] : t_callbacks) {
    if (use.stream_id == stream && use.position > position) return true;
    if (use.after != nullptr && use.after->Get(stream) >= position) return true;
  }
  return false;
}

bool Overlap(uint64_t a_offset, uint64_t a_size, uint64_t b_offset, uint64_t b_size) {
  return a_offset < b_offset + b_size && b_offset < a_offset + a_size;
}

// "writes bytes [0, 64)"
std::string RangeText(bool write, uint64_t offset, uint64_t size) {
  return Sprintf("%s bytes [%llu, %llu)", write ? "writes" : "reads", static_cast<unsigned long long>(offset),
                 static_cast<unsigned long long>(offset + size));
}

std::string PlaceText(const Allocation &allocation) {
  return (allocation.is_device() ? "device " : "pinned host ") + allocation.Describe();
}

std::string UseText(const QueuedUse &use) {
  return Sprintf("%s (operation %llu on stream %s, queue position %llu, not finished) %s", use.api,
                 static_cast<unsigned long long>(use.task_id), Hex(use.stream_id).c_str(),
                 static_cast<unsigned long long>(use.position),
                 RangeText(use.write, use.offset, use.size).c_str());
}

}  // namespace

uint64_t VectorClock::Get(uint64_t stream) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), std::make_pair(stream, uint64_t{0}));
  return it != entries_.end() && it->first == stream ? it->second : 0;
}

ClockRef VectorClock::Join(const ClockRef &a, const ClockRef &b) {
  if (b == nullptr || b->entries_.empty()) return a;
  if (a == nullptr || a->entries_.empty()) return b;
  auto out = std::make_shared<VectorClock>();
  out->entries_.reserve(a->entries_.size() + b->entries_.size());
  auto i = a->entries_.begin(), j = b->entries_.begin();
  while (i != a->entries_.end() || j != b->entries_.end()) {
    if (j == b->entries_.end() || (i != a->entries_.end() && i->first < j->first)) {
      out->entries_.push_back(*i++);
    } else if (i == a->entries_.end() || j->first < i->first) {
      out->entries_.push_back(*j++);
    } else {
      out->entries_.emplace_back(i->first, std::max(i->second, j->second));
      ++i;
      ++j;
    }
  }
  return out;
}

ClockRef VectorClock::With(const ClockRef &a, uint64_t stream, uint64_t position) {
  auto out = std::make_shared<VectorClock>();
  if (a != nullptr) out->entries_ = a->entries_;
  auto it = std::lower_bound(out->entries_.begin(), out->entries_.end(), std::make_pair(stream, uint64_t{0}));
  if (it != out->entries_.end() && it->first == stream) {
    it->second = std::max(it->second, position);
  } else {
    out->entries_.insert(it, {stream, position});
  }
  return out;
}

bool HazardChecksOn() { return State::Get().strict.load(std::memory_order_relaxed); }

aclError CheckStreamAccesses(const char *api, uint64_t stream_id, uint64_t position, const ClockRef &order,
                             const std::vector<MemoryAccess> &accesses) {
  if (!HazardChecksOn()) return ACL_SUCCESS;
  for (const MemoryAccess &access : accesses) {
    QueuedUse use;
    bool conflict = access.allocation->FindUse(
        [&](const QueuedUse &u) {
          if (u.stream_id == stream_id) return false;  // one stream runs in order
          if (!access.write && !u.write) return false;  // reads never conflict
          if (!Overlap(access.offset, access.size, u.offset, u.size)) return false;
          return order == nullptr || order->Get(u.stream_id) < u.position;  // no event orders them
        },
        &use);
    if (!conflict) continue;
    return Fail(acl::ACL_ERROR_RT_PARAM_INVALID,
                "hazard: %s on stream %s (queue position %llu) %s of %s, but %s, and no event orders the two: record "
                "an event on stream %s after that operation and make stream %s wait for it (aclrtStreamWaitEvent), or "
                "synchronize first",
                api, Hex(stream_id).c_str(), static_cast<unsigned long long>(position),
                RangeText(access.write, access.offset, access.size).c_str(), PlaceText(*access.allocation).c_str(),
                UseText(use).c_str(), Hex(use.stream_id).c_str(), Hex(stream_id).c_str());
  }
  return ACL_SUCCESS;
}

aclError CheckHostAccess(const std::shared_ptr<Allocation> &allocation, uint64_t offset, uint64_t size, bool write,
                         const char *role) {
  if (allocation == nullptr || size == 0 || !HazardChecksOn()) return ACL_SUCCESS;
  QueuedUse use;
  bool conflict = allocation->FindUse(
      [&](const QueuedUse &u) {
        if (!write && !u.write) return false;
        if (!Overlap(offset, size, u.offset, u.size)) return false;
        return t_callbacks.empty() || !BehindRunningCallback(u);
      },
      &use);
  if (!conflict) return ACL_SUCCESS;
  return Fail(acl::ACL_ERROR_RT_PARAM_INVALID,
              "hazard: the host %s %s of %s (%s) while %s: synchronous copies do not wait for queued stream work, so "
              "synchronize stream %s (or an event recorded after that operation) first",
              write ? "writes" : "reads",
              RangeText(write, offset, size).substr(write ? 7 : 6).c_str(), PlaceText(*allocation).c_str(), role,
              UseText(use).c_str(), Hex(use.stream_id).c_str());
}

void EnterCallback(uint64_t stream_id, uint64_t position) { t_callbacks.emplace_back(stream_id, position); }

void ExitCallback(uint64_t stream_id) {
  for (auto it = t_callbacks.rbegin(); it != t_callbacks.rend(); ++it) {
    if (it->first == stream_id) {
      t_callbacks.erase(std::next(it).base());
      return;
    }
  }
}

}  // namespace aclsim
