// From a path or bytes to a described, runnable graph: reading the file (an .om path stands for
// the .onnx beside it, which is how the simulator replaces ATC output), loading it with the
// executor, building its signature under the model options, and sizing it (aclmdlQuerySize).
//
// Failures return the code with the message already queued: 145002 for a path that cannot be
// read, the executor's 145000 (naming the node, op and opset) for bytes it cannot load, 145000
// for options that do not fit the graph.
#ifndef ASCENDCL_SIM_MODEL_MODEL_LOADER_H_
#define ASCENDCL_SIM_MODEL_MODEL_LOADER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "acl/acl_abi.h"
#include "sim/executor/executable.h"
#include "sim/model/model_options.h"
#include "sim/model/signature.h"

namespace aclsim::model {

struct ModelFile {
  std::vector<uint8_t> bytes;
  std::string path;      // the file actually read (the .onnx for an .om path)
  std::string base_dir;  // where external data is looked up
};

// Reads `path`. 145002 when it (or, for an .om path, the .onnx beside it) is missing, not a
// regular file or unreadable.
aclError ReadModelFile(const char *path, ModelFile *out);

struct LoadedGraph {
  std::shared_ptr<const exec::Executable> graph;
  std::shared_ptr<const ModelSignature> signature;  // with weight_bytes and work_bytes
};

// Loads `size` bytes, describes them under `options`.
aclError LoadGraph(const uint8_t *bytes, size_t size, const std::string &base_dir, const ModelOptions &options,
                   LoadedGraph *out);

}  // namespace aclsim::model

#endif  // ASCENDCL_SIM_MODEL_MODEL_LOADER_H_
