// Convolution as a GEMM without an im2col matrix: the B operand (depth = input channel × kernel
// offset, lines = output positions) is gathered straight from the input image into packed panels,
// one cache-sized block at a time, so the workspace stays bounded by the GEMM's blocking however
// large the image. Also col2im, the scatter-add that ConvTranspose needs.
#ifndef ASCENDCL_SIM_EXECUTOR_KERNELS_IM2COL_H_
#define ASCENDCL_SIM_EXECUTOR_KERNELS_IM2COL_H_

#include <cstdint>
#include <vector>

#include "sim/executor/kernels/gemm_pack.h"
#include "sim/executor/kernels/window.h"

namespace aclsim::exec::kernels {

// A window over 1 to 3 spatial axes seen as 3 (leading axes of size 1, kernel 1), so that one
// loop nest serves 1-D, 2-D and 3-D.
struct Window3 {
  int64_t in[3];
  int64_t out[3];
  int64_t kernel[3];
  int64_t stride[3];
  int64_t dilation[3];
  int64_t pad[3];      // leading pad
  int64_t pad_end[3];  // trailing pad (pooling's count_include_pad)
  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t kernel_size() const { return kernel[0] * kernel[1] * kernel[2]; }
};

// From resolved axes (1 to 3 of them).
Window3 ToWindow3(const std::vector<WindowAxis> &axes);

// B of the convolution GEMM for one image and group: element (depth k, line n) is the input at
// channel k / kernel_size, kernel offset k % kernel_size, for output position n; zero in the
// padding.
class Im2colSource final : public PanelSource {
 public:
  // `image` points at the group's first input channel of one image (channels × in_size floats).
  Im2colSource(const float *image, const Window3 &window) : image_(image), window_(window) {}
  const float *Panels(const GemmArch &arch, int width, int64_t i0, int64_t count, int64_t k0, int64_t kc,
                      float *scratch) const override;

 private:
  const float *image_;
  Window3 window_;
};

// ConvTranspose's scatter: out[c][p] += col[(c, kernel offset)][input position], for channels
// [0, channels) of one image and group, `col` holding input positions [pos0, pos1) in rows of
// `col_stride` floats. The output positions a kernel offset reaches are those of the transposed
// window (out = in * stride - pad + offset * dilation).
void Col2imAdd(const float *col, int64_t col_stride, int64_t channels, int64_t pos0, int64_t pos1, const Window3 &w,
               float *out);

}  // namespace aclsim::exec::kernels

#endif  // ASCENDCL_SIM_EXECUTOR_KERNELS_IM2COL_H_
