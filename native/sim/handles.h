// Opaque handles for contexts, streams and events, and the registries that resolve them.
//
// A handle is a tagged 64-bit id cast to a pointer, never the address of an object: the tag byte
// says what kind of object it names, so passing an event where a stream is expected is reported
// as such, and ids come from one counter that is never reset, so a destroyed handle stays invalid
// forever (no ABA after reuse). The values are non-canonical on x86-64 and point above the
// 48-bit user range on aarch64, so dereferencing one faults instead of reading our memory.
#ifndef ASCENDCL_SIM_HANDLES_H_
#define ASCENDCL_SIM_HANDLES_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace aclsim {

enum class HandleKind : uint8_t { kContext = 0xC7, kStream = 0x57, kEvent = 0xE7 };

inline const char *HandleKindName(uint64_t id) {
  switch (static_cast<uint8_t>(id >> 56)) {
    case static_cast<uint8_t>(HandleKind::kContext): return "context";
    case static_cast<uint8_t>(HandleKind::kStream): return "stream";
    case static_cast<uint8_t>(HandleKind::kEvent): return "event";
    default: return nullptr;
  }
}

inline uint64_t NewHandleId(HandleKind kind) {
  static std::atomic<uint64_t> counter{0};
  uint64_t serial = counter.fetch_add(1, std::memory_order_relaxed) + 1;
  return (static_cast<uint64_t>(kind) << 56) | (uint64_t{0xA5} << 48) | (serial & ((uint64_t{1} << 48) - 1));
}

inline uint64_t HandleId(const void *handle) { return reinterpret_cast<uint64_t>(handle); }
inline void *HandleValue(uint64_t id) { return reinterpret_cast<void *>(id); }
inline bool HandleIs(uint64_t id, HandleKind kind) { return static_cast<uint8_t>(id >> 56) == static_cast<uint8_t>(kind); }

// id -> object. Lookups take the lock and copy one shared_ptr: they are on every hot path
// (query, record, enqueue) and never wait for anything slow. A plain mutex rather than a
// reader-writer lock: every critical section is a hash lookup, so readers hardly ever meet, and
// an uncontended pthread rwlock costs two to three times a mutex on the query path.
template <typename T>
class HandleRegistry {
 public:
  void Insert(uint64_t id, std::shared_ptr<T> object) {
    std::lock_guard<std::mutex> lock(mu_);
    map_.emplace(id, std::move(object));
  }

  std::shared_ptr<T> Find(uint64_t id) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(id);
    return it == map_.end() ? nullptr : it->second;
  }

  std::shared_ptr<T> Remove(uint64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(id);
    if (it == map_.end()) return nullptr;
    std::shared_ptr<T> object = std::move(it->second);
    map_.erase(it);
    return object;
  }

  // The objects for which `pred` holds, in no particular order.
  template <typename Pred>
  std::vector<std::shared_ptr<T>> Select(Pred pred) const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::shared_ptr<T>> out;
    for (const auto &[id, object] : map_) {
      if (pred(*object)) out.push_back(object);
    }
    return out;
  }

  size_t Size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return map_.size();
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, std::shared_ptr<T>> map_;
};

}  // namespace aclsim

#endif  // ASCENDCL_SIM_HANDLES_H_
