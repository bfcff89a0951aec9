#include "sim/allocation.h"

#include <sys/mman.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include "sim/util.h"

namespace aclsim {
namespace {

// Above this, backing comes straight from mmap (page-granular, returned to the OS on free).
constexpr size_t kMmapThreshold = 256 * 1024;

// Smaller backing comes from malloc, whose free pages stay in the process after free() unless
// they happen to sit at the top of the heap. Device memory a program frees should leave the
// host process, as it leaves a card: after every kTrimEvery bytes freed this way, malloc_trim
// hands the free pages back (a walk of the heap; amortised over 64 MiB of frees, negligible).
constexpr uint64_t kTrimEvery = uint64_t{64} << 20;
std::atomic<uint64_t> freed_since_trim{0};

void NoteSmallFree(size_t bytes) {
#if defined(__GLIBC__)
  uint64_t total = freed_since_trim.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  if (total >= kTrimEvery && freed_since_trim.exchange(0, std::memory_order_relaxed) >= kTrimEvery) malloc_trim(0);
#else
  (void)bytes;
#endif
}

}  // namespace

uint64_t NextSequence() {
  static std::atomic<uint64_t> sequence{0};
  return sequence.fetch_add(1, std::memory_order_relaxed) + 1;
}

Origin MakeOrigin(const char *api) { return Origin{NextSequence(), api, CurrentThreadId()}; }

void *AllocateBacking(size_t bytes) {
  if (bytes == 0) bytes = 64;
  if (bytes >= kMmapThreshold) {
    // MAP_NORESERVE: an 8 GiB allocation that is never written costs no memory, as on a card
    // where untouched HBM is just capacity.
    void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
  }
  uint64_t rounded = 0;
  if (!AlignUp(bytes, 64, &rounded)) return nullptr;
  return std::aligned_alloc(64, rounded);
}

void ReleaseBacking(void *memory, size_t bytes) {
  if (memory == nullptr) return;
  if (bytes == 0) bytes = 64;
  if (bytes >= kMmapThreshold) {
    munmap(memory, bytes);
  } else {
    std::free(memory);
    NoteSmallFree(bytes);
  }
}

Allocation::Allocation(Kind kind, int device, uint64_t address, uint64_t size, uint64_t consumed, void *backing,
                       size_t backing_bytes, Origin origin)
    : kind_(kind),
      device_(device),
      address_(address),
      size_(size),
      consumed_(consumed),
      backing_(backing),
      backing_bytes_(backing_bytes),
      origin_(origin) {}

Allocation::~Allocation() { ReleaseBacking(backing_, backing_bytes_); }

std::string Allocation::Describe() const {
  return Sprintf("allocation #%llu (%llu bytes at %s, %s on thread %llu)", static_cast<unsigned long long>(origin_.seq),
                 static_cast<unsigned long long>(size_), Hex(address_).c_str(), origin_.api,
                 static_cast<unsigned long long>(origin_.thread));
}

void Allocation::AddUse(const QueuedUse &use) {
  std::lock_guard<std::mutex> lock(uses_mu_);
  uses_.push_back(use);
}

void Allocation::RemoveUse(uint64_t task_id) {
  std::lock_guard<std::mutex> lock(uses_mu_);
  auto it = std::find_if(uses_.begin(), uses_.end(), [&](const QueuedUse &u) { return u.task_id == task_id; });
  if (it != uses_.end()) uses_.erase(it);
}

bool Allocation::FirstUse(QueuedUse *out) const {
  std::lock_guard<std::mutex> lock(uses_mu_);
  if (uses_.empty()) return false;
  *out = uses_.front();
  return true;
}

bool Allocation::FindUse(const std::function<bool(const QueuedUse &)> &match, QueuedUse *out) const {
  std::lock_guard<std::mutex> lock(uses_mu_);
  for (const QueuedUse &use : uses_) {
    if (match(use)) {
      *out = use;
      return true;
    }
  }
  return false;
}

std::string FreedRecord::Describe() const {
  return Sprintf("allocation #%llu (%llu bytes at %s, %s on thread %llu; freed by %s on thread %llu)",
                 static_cast<unsigned long long>(seq), static_cast<unsigned long long>(size), Hex(address).c_str(), api,
                 static_cast<unsigned long long>(alloc_thread), freed_by, static_cast<unsigned long long>(freed_thread));
}

}  // namespace aclsim
