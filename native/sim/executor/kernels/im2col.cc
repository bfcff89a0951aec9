#include "sim/executor/kernels/im2col.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace aclsim::exec::kernels {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int64_t CeilDiv(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

// The t in [0, count) for which 0 <= base + t * stride < size.
void ValidRange(int64_t base, int64_t stride, int64_t size, int64_t count, int64_t *lo, int64_t *hi) {
  *lo = base >= 0 ? 0 : CeilDiv(-base, stride);
  *hi = base >= size ? 0 : FloorDiv(size - 1 - base, stride) + 1;
  *lo = std::min(*lo, count);
  *hi = std::clamp(*hi, *lo, count);
}

}  // namespace

Window3 ToWindow3(const std::vector<WindowAxis> &axes) {
  Window3 w;
  const size_t lead = 3 - axes.size();
  for (size_t i = 0; i < 3; ++i) {
    if (i < lead) {
      w.in[i] = w.out[i] = w.kernel[i] = w.stride[i] = w.dilation[i] = 1;
      w.pad[i] = w.pad_end[i] = 0;
    } else {
      const WindowAxis &a = axes[i - lead];
      w.in[i] = a.in;
      w.out[i] = a.out;
      w.kernel[i] = a.kernel;
      w.stride[i] = a.stride;
      w.dilation[i] = a.dilation;
      w.pad[i] = a.pad_begin;
      w.pad_end[i] = a.pad_end;
    }
  }
  return w;
}

namespace {

// A run of a panel's output positions that lie on one output row (fixed od, oh).
struct Segment {
  int64_t dst;  // first line of the run within the panel
  int64_t len;
  int64_t od, oh, ow;
};

// For one segment and one kernel column: the lines [lo, hi) of the run whose input column is
// inside the row, and the input column of line lo.
struct ColumnRun {
  int64_t lo, hi, column;
};

// Per-thread tables, reused from panel to panel.
struct PanelTables {
  std::vector<Segment> segments;
  std::vector<int64_t> rows;       // [segment][kd·KH + kh]: input plane offset of the row, or -1
  std::vector<ColumnRun> columns;  // [segment][kw]
};

thread_local PanelTables t_tables;

// Everything about a panel that does not depend on the input channel: its segments and, per
// segment, which kernel rows and columns fall inside the input. Computed once per panel, so that
// each of its kc depth rows costs only table lookups and one gather per segment.
void PlanPanel(const Window3 &w, int64_t first, int64_t lines, PanelTables *t) {
  const int64_t plane = w.out[1] * w.out[2];
  int64_t od = first / plane, oh = (first % plane) / w.out[2], ow = first % w.out[2];
  t->segments.clear();
  for (int64_t j = 0; j < lines;) {
    const int64_t len = std::min(lines - j, w.out[2] - ow);
    t->segments.push_back(Segment{j, len, od, oh, ow});
    j += len;
    ow = 0;
    if (++oh == w.out[1]) {
      oh = 0;
      ++od;
    }
  }
  const int64_t kernel_rows = w.kernel[0] * w.kernel[1];
  t->rows.resize(t->segments.size() * kernel_rows);
  t->columns.resize(t->segments.size() * w.kernel[2]);
  for (size_t s = 0; s < t->segments.size(); ++s) {
    const Segment &seg = t->segments[s];
    for (int64_t kd = 0; kd < w.kernel[0]; ++kd) {
      const int64_t id = seg.od * w.stride[0] - w.pad[0] + kd * w.dilation[0];
      for (int64_t kh = 0; kh < w.kernel[1]; ++kh) {
        const int64_t ih = seg.oh * w.stride[1] - w.pad[1] + kh * w.dilation[1];
        const bool inside = id >= 0 && id < w.in[0] && ih >= 0 && ih < w.in[1];
        t->rows[s * kernel_rows + kd * w.kernel[1] + kh] = inside ? (id * w.in[1] + ih) * w.in[2] : -1;
      }
    }
    for (int64_t kw = 0; kw < w.kernel[2]; ++kw) {
      const int64_t base = seg.ow * w.stride[2] - w.pad[2] + kw * w.dilation[2];
      int64_t lo, hi;
      ValidRange(base, w.stride[2], w.in[2], seg.len, &lo, &hi);
      t->columns[s * w.kernel[2] + kw] = ColumnRun{lo, hi, base + lo * w.stride[2]};
    }
  }
}

}  // namespace

const float *Im2colSource::Panels(const GemmArch &arch, int width, int64_t i0, int64_t count, int64_t k0, int64_t kc,
                                  float *scratch) const {
  const Window3 &w = window_;
  const int64_t kernel_size = w.kernel_size();
  const int64_t kernel_rows = w.kernel[0] * w.kernel[1];
  const int64_t in_size = w.in_size();
  const GatherRunFn gather = arch.gather_run;
  PanelTables &t = t_tables;
  for (int64_t p = 0; p < count; p += width) {
    const int64_t lines = std::min<int64_t>(width, count - p);
    PlanPanel(w, i0 + p, lines, &t);
    const size_t segments = t.segments.size();
    float *panel = scratch + p * kc;
    // Walk the depth as (channel, kernel row, kernel column) counters rather than dividing.
    int64_t channel = k0 / kernel_size;
    const int64_t rest = k0 % kernel_size;
    int64_t row = rest / w.kernel[2], column = rest % w.kernel[2];
    for (int64_t k = 0; k < kc; ++k) {
      float *dst = panel + k * width;
      const float *plane = image_ + channel * in_size;
      for (size_t s = 0; s < segments; ++s) {
        const Segment &seg = t.segments[s];
        const int64_t offset = t.rows[s * kernel_rows + row];
        const ColumnRun &run = t.columns[s * w.kernel[2] + column];
        if (offset < 0 || run.hi <= run.lo) {
          std::memset(dst + seg.dst, 0, static_cast<size_t>(seg.len) * sizeof(float));
        } else {
          gather(dst + seg.dst, plane + offset + run.column, w.stride[2], run.lo, run.hi, seg.len);
        }
      }
      if (lines < width) std::memset(dst + lines, 0, static_cast<size_t>(width - lines) * sizeof(float));
      if (++column == w.kernel[2]) {
        column = 0;
        if (++row == kernel_rows) {
          row = 0;
          ++channel;
        }
      }
    }
  }
  return scratch;
}

void Col2imAdd(const float *col, int64_t col_stride, int64_t channels, int64_t pos0, int64_t pos1, const Window3 &w,
               float *out) {
  const int64_t in_plane = w.in[1] * w.in[2];
  const int64_t out_size = w.out_size();
  int64_t row = 0;
  for (int64_t c = 0; c < channels; ++c) {
    float *out_channel = out + c * out_size;
    for (int64_t kd = 0; kd < w.kernel[0]; ++kd) {
      for (int64_t kh = 0; kh < w.kernel[1]; ++kh) {
        for (int64_t kw = 0; kw < w.kernel[2]; ++kw, ++row) {
          const float *src_row = col + row * col_stride;
          // Walk the input positions of [pos0, pos1) a row of the input (fixed id, ih) at a time.
          int64_t pos = pos0;
          while (pos < pos1) {
            const int64_t id = pos / in_plane;
            const int64_t ih = (pos % in_plane) / w.in[2];
            const int64_t iw0 = pos % w.in[2];
            const int64_t segment = std::min(pos1 - pos, w.in[2] - iw0);
            const int64_t od = id * w.stride[0] - w.pad[0] + kd * w.dilation[0];
            const int64_t oh = ih * w.stride[1] - w.pad[1] + kh * w.dilation[1];
            if (od >= 0 && od < w.out[0] && oh >= 0 && oh < w.out[1]) {
              float *dst = out_channel + (od * w.out[1] + oh) * w.out[2];
              const int64_t base = iw0 * w.stride[2] - w.pad[2] + kw * w.dilation[2];
              int64_t lo = 0, hi = 0;
              ValidRange(base, w.stride[2], w.out[2], segment, &lo, &hi);
              const float *src = src_row + (pos - pos0);
              for (int64_t t = lo; t < hi; ++t) dst[base + t * w.stride[2]] += src[t];
            }
            pos += segment;
          }
        }
      }
    }
  }
}

}  // namespace aclsim::exec::kernels
