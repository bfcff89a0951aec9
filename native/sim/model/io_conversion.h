// The I/O conversions an ATC-compiled model performs when its inputs or outputs are presented in
// another type than the graph computes in (aclsimSetModelOptions inputTypes/outputTypes):
// float16 <-> float32 exactly (round to nearest even), uint8 -> float32 by value on input, and
// float32 -> uint8 saturating with round-half-to-even on output (NaN becomes 0).
#ifndef ASCENDCL_SIM_MODEL_IO_CONVERSION_H_
#define ASCENDCL_SIM_MODEL_IO_CONVERSION_H_

#include <cstddef>
#include <cstdint>

#include "sim/executor/dtype.h"

namespace aclsim::model {

enum class Conversion { kNone, kHalfToFloat, kUint8ToFloat, kFloatToHalf, kFloatToUint8 };

// The conversion from a presented input type to the graph's, or from the graph's output type to
// the presented one. Returns false when the pair is not one a compiled model can have.
bool InputConversion(exec::DType presented, exec::DType graph, Conversion *out);
bool OutputConversion(exec::DType graph, exec::DType presented, Conversion *out);

// Converts `count` elements. Neither pointer needs any alignment (device buffers may start at
// any offset a caller chose); the ranges must not overlap.
void Convert(Conversion conversion, const void *src, void *dst, size_t count);

uint8_t FloatToUint8Saturating(float value);

}  // namespace aclsim::model

#endif  // ASCENDCL_SIM_MODEL_IO_CONVERSION_H_
