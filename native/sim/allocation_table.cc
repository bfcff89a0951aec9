#include "sim/allocation_table.h"

#include "sim/util.h"

namespace aclsim {

void AllocationTable::Insert(std::shared_ptr<Allocation> allocation) {
  uint64_t begin = allocation->address();
  uint64_t end = begin + allocation->consumed();
  // Forget freed records overlapping [begin, end): their addresses now belong to a new allocation.
  auto it = freed_.upper_bound(begin);
  if (it != freed_.begin()) {
    auto prev = std::prev(it);
    if (prev->second.address + prev->second.extent > begin) it = prev;
  }
  while (it != freed_.end() && it->first < end) it = freed_.erase(it);
  requested_ += allocation->size();
  live_.emplace(begin, std::move(allocation));
}

std::map<uint64_t, std::shared_ptr<Allocation>> AllocationTable::TakeAll() {
  std::map<uint64_t, std::shared_ptr<Allocation>> live = std::move(live_);
  live_.clear();
  requested_ = 0;
  freed_.clear();
  freed_order_.clear();
  return live;
}

std::shared_ptr<Allocation> AllocationTable::FindExact(uint64_t address) const {
  auto it = live_.find(address);
  return it == live_.end() ? nullptr : it->second;
}

std::shared_ptr<Allocation> AllocationTable::FindContaining(uint64_t address) const {
  auto it = live_.upper_bound(address);
  if (it == live_.begin()) return nullptr;
  --it;
  const Allocation &a = *it->second;
  return address < a.address() + a.consumed() ? it->second : nullptr;
}

std::shared_ptr<Allocation> AllocationTable::Remove(uint64_t address, const char *freed_by) {
  auto it = live_.find(address);
  if (it == live_.end()) return nullptr;
  std::shared_ptr<Allocation> allocation = std::move(it->second);
  live_.erase(it);
  requested_ -= allocation->size();

  FreedRecord record;
  record.seq = allocation->origin().seq;
  record.address = allocation->address();
  record.size = allocation->size();
  record.extent = allocation->consumed();
  record.api = allocation->origin().api;
  record.alloc_thread = allocation->origin().thread;
  record.freed_by = freed_by;
  record.freed_thread = CurrentThreadId();
  freed_[record.address] = record;
  freed_order_.emplace_back(record.address, record.seq);
  while (freed_order_.size() > kMaxFreedRecords) {
    auto [old_address, old_seq] = freed_order_.front();
    freed_order_.pop_front();
    auto old = freed_.find(old_address);
    if (old != freed_.end() && old->second.seq == old_seq) freed_.erase(old);
  }
  return allocation;
}

const FreedRecord *AllocationTable::FindFreed(uint64_t address) const {
  auto it = freed_.upper_bound(address);
  if (it == freed_.begin()) return nullptr;
  --it;
  return address < it->second.address + it->second.extent ? &it->second : nullptr;
}

const Allocation *AllocationTable::LiveBelow(uint64_t address) const {
  auto it = live_.upper_bound(address);
  if (it == live_.begin()) return nullptr;
  return std::prev(it)->second.get();
}

std::string AllocationTable::DescribeNotLive(uint64_t address) const {
  if (const FreedRecord *freed = FindFreed(address)) {
    uint64_t offset = address - freed->address;
    if (offset == 0) return "use after free of " + freed->Describe();
    return Sprintf("use after free: offset %llu inside ", static_cast<unsigned long long>(offset)) + freed->Describe();
  }
  if (const Allocation *below = LiveBelow(address)) {
    uint64_t past = address - (below->address() + below->size());
    return Sprintf("%llu bytes past the end of ", static_cast<unsigned long long>(past)) + below->Describe();
  }
  return "never allocated";
}

std::string AllocationTable::DescribeBadFree(uint64_t address) const {
  if (std::shared_ptr<Allocation> containing = FindContaining(address)) {
    return Sprintf("%s is inside %s at offset %llu, not at its start", Hex(address).c_str(),
                   containing->Describe().c_str(), static_cast<unsigned long long>(address - containing->address()));
  }
  if (const FreedRecord *freed = FindFreed(address)) {
    if (freed->address == address) return "double free of " + freed->Describe();
    return Sprintf("%s is inside freed %s at offset %llu", Hex(address).c_str(), freed->Describe().c_str(),
                   static_cast<unsigned long long>(address - freed->address));
  }
  return Hex(address) + " was never allocated";
}

}  // namespace aclsim
