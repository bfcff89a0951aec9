#include "sim/executor/kernels/op_support.h"

#include <cstring>

#include "common/float16.h"

namespace aclsim::exec::kernels {

const Tensor *AsFloat32(const Tensor &in, Tensor *storage, const std::string &what, Status *status) {
  if (in.dtype() == DType::kFloat32) return &in;
  if (in.dtype() != DType::kFloat16) {
    *status = TypeError("%s is %s; expected float32 or float16", what.c_str(), DTypeName(in.dtype()));
    return nullptr;
  }
  Status allocated = Tensor::Allocate(DType::kFloat32, in.shape(), storage);
  if (!allocated.ok()) {
    *status = allocated.Annotate(what);
    return nullptr;
  }
  ascendcl::HalvesToFloats(in.data<uint16_t>(), storage->data<float>(), static_cast<size_t>(in.elements()));
  return storage;
}

void StoreFloat32(const float *values, Tensor *out) {
  const size_t n = static_cast<size_t>(out->elements());
  if (out->dtype() == DType::kFloat16) {
    ascendcl::FloatsToHalves(values, out->data<uint16_t>(), n);
  } else if (values != out->data<float>() && n != 0) {
    std::memcpy(out->data<float>(), values, n * sizeof(float));
  }
}

Status Float32Output::Allocate(RunContext &ctx, size_t index, DType type, Shape shape) {
  EXEC_RETURN_IF_ERROR(ctx.Allocate(index, type, shape, &output_));
  if (type == DType::kFloat32) {
    values_ = output_->data<float>();
    return Status::Ok();
  }
  EXEC_RETURN_IF_ERROR(Tensor::Allocate(DType::kFloat32, std::move(shape), &scratch_));
  values_ = scratch_.data<float>();
  return Status::Ok();
}

void Float32Output::Finish() {
  if (output_ != nullptr && output_->dtype() != DType::kFloat32) StoreFloat32(values_, output_);
}

}  // namespace aclsim::exec::kernels
