#include "sim/executor/kernels/window.h"

#include <limits>

namespace aclsim::exec::kernels {
namespace {

constexpr int64_t kMaxWindowValue = int64_t{1} << 31;  // far above any real kernel, stride or pad

std::string ListToString(const std::vector<int64_t> &values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + std::to_string(values[i]);
  return out + "]";
}

Status CheckList(const NodeDef &node, const char *name, const std::vector<int64_t> &values, int64_t min) {
  for (int64_t v : values) {
    if (v < min || v > kMaxWindowValue) {
      return InvalidModel("attribute '%s' = %s has a value outside [%lld, 2^31]", name, ListToString(values).c_str(),
                          static_cast<long long>(min));
    }
  }
  return Status::Ok();
}

Status CheckKind(const NodeDef &node, const char *name, Attribute::Kind kind, const char *kind_name) {
  const Attribute *a = node.attributes.Find(name);
  if (a != nullptr && a->kind != kind) {
    return InvalidModel("attribute '%s' must be %s", name, kind_name);
  }
  return Status::Ok();
}

}  // namespace

Status ReadWindowAttributes(const NodeDef &node, bool has_dilations, bool has_ceil_mode, WindowAttributes *out) {
  for (const char *name : {"kernel_shape", "strides", "dilations", "pads"}) {
    EXEC_RETURN_IF_ERROR(CheckKind(node, name, Attribute::Kind::kInts, "a list of ints"));
  }
  EXEC_RETURN_IF_ERROR(CheckKind(node, "auto_pad", Attribute::Kind::kString, "a string"));
  EXEC_RETURN_IF_ERROR(CheckKind(node, "ceil_mode", Attribute::Kind::kInt, "an int"));
  const Attributes &a = node.attributes;
  out->kernel_shape = a.Ints("kernel_shape");
  out->strides = a.Ints("strides");
  out->dilations = a.Ints("dilations");
  out->pads = a.Ints("pads");
  EXEC_RETURN_IF_ERROR(CheckList(node, "kernel_shape", out->kernel_shape, 1));
  EXEC_RETURN_IF_ERROR(CheckList(node, "strides", out->strides, 1));
  EXEC_RETURN_IF_ERROR(CheckList(node, "dilations", out->dilations, 1));
  EXEC_RETURN_IF_ERROR(CheckList(node, "pads", out->pads, 0));
  if (out->pads.size() % 2 != 0) {
    return InvalidModel("attribute 'pads' = %s must have an even length (begins, then ends)",
                        ListToString(out->pads).c_str());
  }
  if (!has_dilations) {
    for (int64_t d : out->dilations) {
      if (d != 1) {
        return InvalidModel("attribute 'dilations' is not defined for this op at this opset");
      }
    }
    out->dilations.clear();
  }
  const std::string auto_pad = a.String("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET" || auto_pad.empty()) {
    out->auto_pad = AutoPad::kNotSet;
  } else if (auto_pad == "SAME_UPPER") {
    out->auto_pad = AutoPad::kSameUpper;
  } else if (auto_pad == "SAME_LOWER") {
    out->auto_pad = AutoPad::kSameLower;
  } else if (auto_pad == "VALID") {
    out->auto_pad = AutoPad::kValid;
  } else {
    return InvalidModel("unsupported auto_pad '%s' (NOTSET, SAME_UPPER, SAME_LOWER or VALID)", auto_pad.c_str());
  }
  const int64_t ceil_mode = a.Int("ceil_mode", 0);
  if (ceil_mode != 0 && ceil_mode != 1) {
    return InvalidModel("attribute 'ceil_mode' = %lld must be 0 or 1", static_cast<long long>(ceil_mode));
  }
  if (ceil_mode == 1 && !has_ceil_mode) {
    return InvalidModel("attribute 'ceil_mode' is not defined for this op at this opset");
  }
  out->ceil_mode = ceil_mode == 1;
  return Status::Ok();
}

Status CheckWindowRank(const WindowAttributes &attrs, size_t rank) {
  auto check = [&](const char *name, size_t size, size_t expected) -> Status {
    if (size != 0 && size != expected) {
      return ShapeError("attribute '%s' has %zu values for %zu spatial dims", name, size, rank);
    }
    return Status::Ok();
  };
  EXEC_RETURN_IF_ERROR(check("kernel_shape", attrs.kernel_shape.size(), rank));
  EXEC_RETURN_IF_ERROR(check("strides", attrs.strides.size(), rank));
  EXEC_RETURN_IF_ERROR(check("dilations", attrs.dilations.size(), rank));
  EXEC_RETURN_IF_ERROR(check("pads", attrs.pads.size(), 2 * rank));
  return Status::Ok();
}

Status ResolveWindow(const WindowAttributes &attrs, const std::vector<int64_t> &input_spatial,
                     const std::vector<int64_t> &kernel, std::vector<WindowAxis> *axes) {
  const size_t rank = input_spatial.size();
  EXEC_RETURN_IF_ERROR(CheckWindowRank(attrs, rank));
  if (kernel.size() != rank) {
    return ShapeError("the kernel has %zu spatial dims, the input %zu", kernel.size(), rank);
  }
  axes->assign(rank, WindowAxis());
  for (size_t i = 0; i < rank; ++i) {
    WindowAxis &axis = (*axes)[i];
    axis.in = input_spatial[i];
    axis.kernel = kernel[i];
    axis.stride = attrs.strides.empty() ? 1 : attrs.strides[i];
    axis.dilation = attrs.dilations.empty() ? 1 : attrs.dilations[i];
    if (axis.kernel < 1 || axis.kernel > kMaxWindowValue) {
      return ShapeError("kernel size %lld on spatial axis %zu", static_cast<long long>(axis.kernel), i);
    }
    const int64_t span = axis.span();
    switch (attrs.auto_pad) {
      case AutoPad::kSameUpper:
      case AutoPad::kSameLower: {
        axis.out = (axis.in + axis.stride - 1) / axis.stride;
        const int64_t total = std::max<int64_t>(0, (axis.out - 1) * axis.stride + span - axis.in);
        axis.pad_begin = attrs.auto_pad == AutoPad::kSameUpper ? total / 2 : total - total / 2;
        axis.pad_end = total - axis.pad_begin;
        break;
      }
      case AutoPad::kValid:
        axis.pad_begin = axis.pad_end = 0;
        axis.out = axis.in >= span ? (axis.in - span) / axis.stride + 1 : 0;
        break;
      case AutoPad::kNotSet: {
        axis.pad_begin = attrs.pads.empty() ? 0 : attrs.pads[i];
        axis.pad_end = attrs.pads.empty() ? 0 : attrs.pads[i + rank];
        const int64_t padded = axis.in + axis.pad_begin + axis.pad_end;
        if (padded < span) {
          axis.out = 0;
        } else if (!attrs.ceil_mode) {
          axis.out = (padded - span) / axis.stride + 1;
        } else {
          axis.out = (padded - span + axis.stride - 1) / axis.stride + 1;
          // As PyTorch and onnxruntime: the last window must start inside the input or the
          // leading padding, not only in the trailing padding.
          if ((axis.out - 1) * axis.stride >= axis.in + axis.pad_begin) --axis.out;
        }
        break;
      }
    }
    if (axis.out <= 0 && axis.in > 0) {
      return ShapeError(
          "spatial axis %zu of size %lld is smaller than the window (kernel %lld, dilation %lld, "
          "pads %lld+%lld)",
          i, static_cast<long long>(axis.in), static_cast<long long>(axis.kernel),
          static_cast<long long>(axis.dilation), static_cast<long long>(axis.pad_begin),
          static_cast<long long>(axis.pad_end));
    }
    if (axis.out < 0) axis.out = 0;
  }
  return Status::Ok();
}

Status InferWindowOutput(const WindowAttributes &attrs, const std::vector<int64_t> &input_spatial,
                         const std::vector<int64_t> &kernel, std::vector<int64_t> *out) {
  // An unknown axis is resolved at a stand-in size that always fits the window, then reported -1.
  std::vector<int64_t> sizes = input_spatial;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] < 0) {
      const int64_t dilation = attrs.dilations.size() > i ? attrs.dilations[i] : 1;
      sizes[i] = i < kernel.size() && kernel[i] > 0 ? (kernel[i] - 1) * dilation + 1 : 1;
    }
  }
  std::vector<WindowAxis> axes;
  EXEC_RETURN_IF_ERROR(ResolveWindow(attrs, sizes, kernel, &axes));
  out->resize(axes.size());
  for (size_t i = 0; i < axes.size(); ++i) (*out)[i] = input_spatial[i] < 0 ? -1 : axes[i].out;
  return Status::Ok();
}

}  // namespace aclsim::exec::kernels
