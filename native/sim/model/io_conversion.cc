#include "sim/model/io_conversion.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/float16.h"

namespace aclsim::model {

bool InputConversion(exec::DType presented, exec::DType graph, Conversion *out) {
  if (presented == graph) {
    *out = Conversion::kNone;
    return true;
  }
  if (graph != exec::DType::kFloat32) return false;
  if (presented == exec::DType::kFloat16) *out = Conversion::kHalfToFloat;
  else if (presented == exec::DType::kUint8) *out = Conversion::kUint8ToFloat;
  else return false;
  return true;
}

bool OutputConversion(exec::DType graph, exec::DType presented, Conversion *out) {
  if (presented == graph) {
    *out = Conversion::kNone;
    return true;
  }
  if (graph != exec::DType::kFloat32) return false;
  if (presented == exec::DType::kFloat16) *out = Conversion::kFloatToHalf;
  else if (presented == exec::DType::kUint8) *out = Conversion::kFloatToUint8;
  else return false;
  return true;
}

uint8_t FloatToUint8Saturating(float value) {
  if (!(value > 0.0f)) return 0;  // also NaN
  if (value >= 255.0f) return 255;
  float floor = std::floor(value);
  float rest = value - floor;  // exact: value is in (0, 255)
  float rounded = rest > 0.5f ? floor + 1.0f : rest < 0.5f ? floor : (std::fmod(floor, 2.0f) == 0.0f ? floor : floor + 1.0f);
  return static_cast<uint8_t>(rounded);
}

namespace {

// Elements converted per step through aligned scratch space: small enough for the stack, large
// enough that the F16C path runs at full speed.
constexpr size_t kChunk = 2048;

template <typename From, typename To, typename Fn>
void ConvertChunked(const void *src, void *dst, size_t count, Fn fn) {
  alignas(64) From from[kChunk];
  alignas(64) To to[kChunk];
  const auto *in = static_cast<const uint8_t *>(src);
  auto *out = static_cast<uint8_t *>(dst);
  for (size_t done = 0; done < count;) {
    size_t n = std::min(kChunk, count - done);
    std::memcpy(from, in + done * sizeof(From), n * sizeof(From));
    fn(from, to, n);
    std::memcpy(out + done * sizeof(To), to, n * sizeof(To));
    done += n;
  }
}

}  // namespace

void Convert(Conversion conversion, const void *src, void *dst, size_t count) {
  switch (conversion) {
    case Conversion::kNone: return;  // callers copy bytes themselves
    case Conversion::kHalfToFloat:
      return ConvertChunked<uint16_t, float>(src, dst, count, [](const uint16_t *in, float *out, size_t n) {
        ascendcl::HalvesToFloats(in, out, n);
      });
    case Conversion::kFloatToHalf:
      return ConvertChunked<float, uint16_t>(src, dst, count, [](const float *in, uint16_t *out, size_t n) {
        ascendcl::FloatsToHalves(in, out, n);
      });
    case Conversion::kUint8ToFloat:
      return ConvertChunked<uint8_t, float>(src, dst, count, [](const uint8_t *in, float *out, size_t n) {
        for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(in[i]);
      });
    case Conversion::kFloatToUint8:
      return ConvertChunked<float, uint8_t>(src, dst, count, [](const float *in, uint8_t *out, size_t n) {
        for (size_t i = 0; i < n; ++i) out[i] = FloatToUint8Saturating(in[i]);
      });
  }
}

}  // namespace aclsim::model
