// A dense, row-major tensor: an element type, a shape, and bytes (owned, 64-byte aligned, or a
// view of memory someone else owns, such as a model input buffer).
#ifndef ASCENDCL_SIM_EXECUTOR_TENSOR_H_
#define ASCENDCL_SIM_EXECUTOR_TENSOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "sim/executor/dtype.h"
#include "sim/executor/status.h"

namespace aclsim::exec {

using Shape = std::vector<int64_t>;  // in graph descriptions a dim may be -1 (unknown)

// Product of the dims (1 for a scalar). Requires known, non-negative dims.
int64_t ElementCount(const Shape &shape);
// Whether every dim is known (>= 0).
bool IsKnown(const Shape &shape);
// "[1, 3, 224, 224]"
std::string ShapeToString(const Shape &shape);

// What the throwing constructor throws: a std::bad_alloc that carries the reason (the host's
// memory, or the run's MemoryBudget), so that the executor's guard reports the right code.
class AllocationFailure : public std::bad_alloc {
 public:
  explicit AllocationFailure(Status status) : status_(std::move(status)) {}
  const char *what() const noexcept override { return status_.message().c_str(); }
  const Status &status() const { return status_; }

 private:
  Status status_;
};

class Tensor {
 public:
  Tensor() = default;  // undefined: no type, no data
  // Owning and uninitialised. Fails (kOutOfMemory) instead of throwing when the bytes cannot be
  // allocated, (kDeviceOutOfMemory) when the thread's MemoryBudget cannot cover them, and
  // (kShapeInvalid) when the element count overflows.
  static Status Allocate(DType type, Shape shape, Tensor *out);
  // Owning; throws AllocationFailure where Allocate would fail. For small tensors in kernels.
  Tensor(DType type, Shape shape);
  // A view of memory owned elsewhere; the caller keeps it alive while the tensor is used.
  static Tensor View(DType type, Shape shape, void *data);

  bool defined() const { return type_ != DType::kUndefined; }
  DType dtype() const { return type_; }
  const Shape &shape() const { return shape_; }
  size_t rank() const { return shape_.size(); }
  int64_t dim(size_t i) const { return shape_[i]; }
  int64_t elements() const { return elements_; }
  size_t bytes() const { return static_cast<size_t>(elements_) * DTypeSize(type_); }

  void *raw() { return data_; }
  const void *raw() const { return data_; }
  template <typename T>
  T *data() { return static_cast<T *>(data_); }
  template <typename T>
  const T *data() const { return static_cast<const T *>(data_); }

  // Whether this tensor owns its bytes and no other Tensor shares them, so that they may be
  // handed to a caller who will write them (false for views and for shared reshapes).
  bool exclusively_owned() const { return storage_ != nullptr && storage_.use_count() == 1; }

  // Same bytes, another shape of the same element count (Reshape, Squeeze, Flatten...).
  Tensor Reshaped(Shape shape) const;
  // A deep copy into new owned memory.
  Tensor Clone() const;

 private:
  DType type_ = DType::kUndefined;
  Shape shape_;
  int64_t elements_ = 0;
  std::shared_ptr<void> storage_;  // empty for a view
  void *data_ = nullptr;
};

}  // namespace aclsim::exec

#endif  // ASCENDCL_SIM_EXECUTOR_TENSOR_H_
