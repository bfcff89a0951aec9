#include "sim/executor/tensor.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

namespace aclsim::exec {
namespace {

constexpr size_t kAlignment = 64;  // a cache line, and what AVX-512 loads like

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

std::shared_ptr<void> AlignedBytes(size_t bytes) {
  size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  void *data = std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded);
  if (data == nullptr) return nullptr;
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
  if (static_cast<uint64_t>(count) > std::numeric_limits<size_t>::max() / element / 2) {
    return Status::Error(kOutOfMemory, "a tensor of shape " + ShapeToString(shape) + " is too large");
  }
  std::shared_ptr<void> storage = AlignedBytes(static_cast<size_t>(count) * element);
  if (storage == nullptr) {
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
  if (!status.ok()) throw std::bad_alloc();
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
