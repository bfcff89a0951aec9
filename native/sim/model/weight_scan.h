// aclmdlQuerySize's weightSize: the bytes of a model's initializers (the weights an ATC-compiled
// model would keep in device memory), read from the ModelProto without decoding any tensor.
#ifndef ASCENDCL_SIM_MODEL_WEIGHT_SCAN_H_
#define ASCENDCL_SIM_MODEL_WEIGHT_SCAN_H_

#include <cstddef>
#include <cstdint>

#include "sim/executor/status.h"

namespace aclsim::model {

// Sum over graph.initializer (and the values and indices of graph.sparse_initializer) of
// element count × element size, whether the data is inline or external. String tensors count 0.
// Saturates at SIZE_MAX instead of overflowing. Fails only on bytes that are not a ModelProto.
exec::Status InitializerBytes(const uint8_t *bytes, size_t size, uint64_t *out);

}  // namespace aclsim::model

#endif  // ASCENDCL_SIM_MODEL_WEIGHT_SCAN_H_
