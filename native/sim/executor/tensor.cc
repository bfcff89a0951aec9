#include "sim/executor/tensor.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "sim/executor/memory_budget.h"

namespace aclsim::exec {
namespace {

constexpr size_t kAlignment = 64;  // a cache line, and what AVX-512 loads like

// The most a tensor may ask for: the host's physical memory. A model can compute a shape of
// petabytes at run time (a Tile whose repeats come from an input); such a request is refused as
// out of memory without asking the allocator, which may hand out more than the host has (Linux
// overcommits: the process is then killed when it touches the pages) or, under AddressSanitizer,
// abort the process (found by the model-loader fuzzer).
size_t MaxTensorBytes() {
  static const size_t max = [] {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return std::numeric_limits<size_t>::max() / 2;
    return static_cast<size_t>(pages) * static_cast<size_t>(page);
  }();
  return max;
}

// Element count, or -1 when a dim is negative or the product overflows.
int64_t CheckedCount(const Shape &shape) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0) return -1;
    if (dim != 0 && count > std::numeric_limits<int64_t>::max() / dim) return -1;
    count *= dim;
  }
  return count;
}

// Large tensor storage is recycled. A model run allocates the same intermediate sizes every
// time; fresh large blocks come from mmap (glibc hands blocks above its threshold straight back
// to the kernel), so every run would page-fault and zero each activation again, which cost a
// ResNet stem a fifth of its run time. Freed blocks of kMinCached bytes or more wait here, by
// exact (page-rounded) size, for the next tensor of that size; at most kMaxCached bytes wait, and
// a block beyond that is freed. The cache is never destroyed (tensors may die during exit).
class BlockCache {
 public:
  static constexpr size_t kMinCached = size_t(64) << 10;
  static constexpr size_t kMaxCached = size_t(512) << 20;

  static BlockCache &Get() {
    static BlockCache *cache = new BlockCache();
    return *cache;
  }

  void *Take(size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = free_.find(bytes);
      if (it != free_.end() && !it->second.empty()) {
        void *block = it->second.back();
        it->second.pop_back();
        held_ -= bytes;
        return block;
      }
    }
    return std::aligned_alloc(kAlignment, bytes);
  }

  void Give(void *block, size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (held_ + bytes <= kMaxCached) {
        free_[bytes].push_back(block);
        held_ += bytes;
        return;
      }
    }
    std::free(block);
  }

 private:
  std::mutex mu_;
  std::unordered_map<size_t, std::vector<void *>> free_;
  size_t held_ = 0;
};

// `bytes` of 64-byte aligned storage, charged to `budget` (if any) until it is freed.
std::shared_ptr<void> AlignedBytes(size_t bytes, std::shared_ptr<MemoryBudget> budget, uint64_t charged) {
  size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  const bool cached = rounded >= BlockCache::kMinCached;
  if (cached) rounded = (rounded + 4095) / 4096 * 4096;
  void *data = cached ? BlockCache::Get().Take(rounded) : std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded);
  if (data == nullptr) return nullptr;
  if (budget != nullptr) {
    return std::shared_ptr<void>(data, [rounded, cached, budget = std::move(budget), charged](void *p) {
      if (cached) {
        BlockCache::Get().Give(p, rounded);
      } else {
        std::free(p);
      }
      budget->Give(charged);
    });
  }
  if (cached) return std::shared_ptr<void>(data, [rounded](void *p) { BlockCache::Get().Give(p, rounded); });
  return std::shared_ptr<void>(data, [](void *p) { std::free(p); });
}

}  // namespace

int64_t ElementCount(const Shape &shape) {
  int64_t count = 1;
  for (int64_t dim : shape) count *= dim;
  return count;
}

bool IsKnown(const Shape &shape) {
  for (int64_t dim : shape) {
    if (dim < 0) return false;
  }
  return true;
}

std::string ShapeToString(const Shape &shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

Status Tensor::Allocate(DType type, Shape shape, Tensor *out) {
  int64_t count = CheckedCount(shape);
  size_t element = DTypeSize(type);
  if (count < 0 || element == 0) {
    return ShapeError("cannot allocate a %s tensor of shape %s", DTypeName(type), ShapeToString(shape).c_str());
  }
  if (static_cast<uint64_t>(count) > std::numeric_limits<size_t>::max() / element / 2 ||
      static_cast<size_t>(count) * element > MaxTensorBytes()) {
    return Status::Error(kOutOfMemory, "a " + std::string(DTypeName(type)) + " tensor of shape " +
                                           ShapeToString(shape) + " is larger than this host's memory");
  }
  const size_t bytes = static_cast<size_t>(count) * element;
  const std::shared_ptr<MemoryBudget> &budget = CurrentBudget();
  uint64_t charged = 0;
  if (budget != nullptr) {
    Status taken = budget->Take(bytes, &charged);
    if (!taken.ok()) {
      return taken.Annotate("a " + std::string(DTypeName(type)) + " tensor of shape " + ShapeToString(shape));
    }
  }
  std::shared_ptr<void> storage = AlignedBytes(bytes, budget, charged);
  if (storage == nullptr) {
    if (budget != nullptr) budget->Give(charged);
    return Status::Error(kOutOfMemory, "out of host memory for a " + std::string(DTypeName(type)) + " tensor of shape " +
                                           ShapeToString(shape));
  }
  Tensor tensor;
  tensor.type_ = type;
  tensor.shape_ = std::move(shape);
  tensor.elements_ = count;
  tensor.data_ = storage.get();
  tensor.storage_ = std::move(storage);
  *out = std::move(tensor);
  return Status::Ok();
}

Tensor::Tensor(DType type, Shape shape) {
  Status status = Allocate(type, std::move(shape), this);
  if (!status.ok()) throw AllocationFailure(std::move(status));
}

Tensor Tensor::View(DType type, Shape shape, void *data) {
  Tensor tensor;
  tensor.type_ = type;
  tensor.elements_ = CheckedCount(shape);
  tensor.shape_ = std::move(shape);
  tensor.data_ = data;
  return tensor;
}

Tensor Tensor::Reshaped(Shape shape) const {
  Tensor tensor = *this;
  tensor.shape_ = std::move(shape);
  return tensor;
}

Tensor Tensor::Clone() const {
  Tensor copy(type_, shape_);
  if (bytes() != 0) std::memcpy(copy.data_, data_, bytes());
  return copy;
}

}  // namespace aclsim::exec
