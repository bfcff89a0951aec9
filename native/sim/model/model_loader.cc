#include "sim/model/model_loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "acl/acl_errors.h"
#include "sim/model/weight_scan.h"
#include "sim/recent_errors.h"
#include "sim/util.h"

namespace aclsim::model {
namespace {

bool EndsWithOm(const std::string &path) {
  if (path.size() < 3) return false;
  std::string tail = path.substr(path.size() - 3);
  for (char &c : tail) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return tail == ".om";
}

std::string DirectoryOf(const std::string &path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

aclError PathInvalid(const std::string &message) {
  return Fail(acl::ACL_ERROR_GE_EXEC_MODEL_PATH_INVALID, "%s", message.c_str());
}

// aclmdlQuerySize's workSize: what an execution needs besides the weights, at the largest gear —
// its inputs and outputs (the copies the graph works on: converted, realigned or staged I/O and
// the results before they are written out) plus the graph's intermediate values as the executor
// bounds them, or the I/O bytes again when it cannot tell. At least 32 bytes.
uint64_t EstimateWorkBytes(const exec::Executable &graph, const ModelSignature &sig) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max() / 4;
  uint64_t io = 0;
  for (const IoSpec &spec : sig.inputs) io = std::min(kMax, io + std::min(kMax, spec.size));
  for (const IoSpec &spec : sig.outputs) io = std::min(kMax, io + std::min(kMax, spec.size));
  std::vector<exec::Shape> shapes;
  for (size_t i = 0; i < sig.visible_inputs(); ++i) {
    exec::Shape shape = sig.inputs[i].graph_dims;
    if (!sig.gears.empty()) shape[0] = static_cast<int64_t>(sig.max_gear());
    shapes.push_back(std::move(shape));
  }
  uint64_t activations = std::min(kMax, graph.ActivationBytes(shapes));
  return std::max<uint64_t>(32, io + (activations != 0 ? activations : io));
}

}  // namespace

aclError ReadModelFile(const char *path, ModelFile *out) {
  std::string resolved = path;
  if (EndsWithOm(resolved)) {
    resolved = resolved.substr(0, resolved.size() - 3) + ".onnx";
    struct stat st {};
    if (stat(resolved.c_str(), &st) != 0) {
      return PathInvalid(Sprintf("\"%s\": the simulator runs the ONNX model an .om was compiled from, and \"%s\" "
                                 "does not exist beside it (%s)",
                                 path, resolved.c_str(), std::strerror(errno)));
    }
  }
  int fd = open(resolved.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return PathInvalid(Sprintf("cannot open model file \"%s\": %s", resolved.c_str(), std::strerror(errno)));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return PathInvalid(Sprintf("model file \"%s\" is not a regular file", resolved.c_str()));
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int error = n < 0 ? errno : 0;
      close(fd);
      return PathInvalid(Sprintf("cannot read model file \"%s\": %s", resolved.c_str(),
                                 error != 0 ? std::strerror(error) : "it shrank while being read"));
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
  out->bytes = std::move(bytes);
  out->path = resolved;
  out->base_dir = DirectoryOf(resolved);
  return ACL_SUCCESS;
}

aclError LoadGraph(const uint8_t *bytes, size_t size, const std::string &base_dir, const ModelOptions &options,
                   LoadedGraph *out) {
  exec::LoadOptions load_options;
  load_options.base_dir = base_dir;
  std::unique_ptr<exec::Executable> executable;
  exec::Status status = exec::Executable::Load(bytes, size, load_options, &executable);
  if (!status.ok()) return Fail(status.code(), "%s", status.message().c_str());
  if (executable == nullptr) return Fail(acl::ACL_ERROR_GE_INTERNAL_ERROR, "the executor returned no graph");

  auto signature = std::make_shared<ModelSignature>();
  status = BuildSignature(*executable, options, signature.get());
  if (!status.ok()) {
    std::string context = options.text.empty() ? "" : " (model options \"" + options.text + "\")";
    return Fail(status.code(), "%s%s", status.message().c_str(), context.c_str());
  }
  uint64_t weights = 0;
  status = InitializerBytes(bytes, size, &weights);
  if (!status.ok()) return Fail(status.code(), "%s", status.message().c_str());
  signature->weight_bytes = weights;
  signature->work_bytes = EstimateWorkBytes(*executable, *signature);
  out->graph = std::move(executable);
  out->signature = std::move(signature);
  return ACL_SUCCESS;
}

}  // namespace aclsim::model
