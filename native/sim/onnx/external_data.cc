#include "sim/onnx/external_data.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace aclsim::onnx {
namespace {

// A decimal number as ONNX writes offsets and lengths; false for anything else or overflow.
bool ParseDecimal(const std::string &text, uint64_t *out) {
  if (text.empty() || text.size() > 19) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = value;
  return true;
}

// Whether `location` is a plain relative path without ".." components (and without NUL bytes,
// which would cut the path short where the kernel reads it).
bool IsContainedRelativePath(const std::string &location) {
  if (location.empty() || location[0] == '/' || location.find('\0') != std::string::npos) return false;
  size_t start = 0;
  while (start <= location.size()) {
    size_t end = location.find('/', start);
    if (end == std::string::npos) end = location.size();
    if (location.compare(start, end - start, "..") == 0 && end - start == 2) return false;
    start = end + 1;
  }
  return true;
}

std::string RealPath(const std::string &path) {
  char *resolved = realpath(path.c_str(), nullptr);
  if (resolved == nullptr) return std::string();
  std::string out(resolved);
  std::free(resolved);
  return out;
}

class FileCloser {
 public:
  explicit FileCloser(int fd) : fd_(fd) {}
  ~FileCloser() {
    if (fd_ >= 0) close(fd_);
  }
  FileCloser(const FileCloser &) = delete;
  FileCloser &operator=(const FileCloser &) = delete;

 private:
  int fd_;
};

}  // namespace

Status ReadExternalData(const ParseContext &ctx, const std::string &tensor_name, const ExternalDataEntries &entries,
                        const std::string &base_dir, exec::DType type, const exec::Shape &shape, exec::Tensor *out) {
  const char *name = tensor_name.empty() ? "(unnamed)" : tensor_name.c_str();
  std::string location;
  uint64_t offset = 0;
  uint64_t length = 0;
  bool has_length = false;
  for (const auto &[key, value] : entries) {
    if (key == "location") {
      location = value;
    } else if (key == "offset") {
      if (!ParseDecimal(value, &offset)) {
        return ctx.Error("tensor '%s': external data offset '%s' is not a number", name, value.c_str());
      }
    } else if (key == "length") {
      if (!ParseDecimal(value, &length)) {
        return ctx.Error("tensor '%s': external data length '%s' is not a number", name, value.c_str());
      }
      has_length = true;
    }
  }
  if (location.empty()) return ctx.Error("tensor '%s' has external data without a location", name);
  if (base_dir.empty()) {
    return ctx.Error(
        "tensor '%s' keeps its data in external file '%s', which needs the model to be loaded from a file, not "
        "from memory",
        name, location.c_str());
  }
  if (!IsContainedRelativePath(location)) {
    return ctx.Error("tensor '%s': external data location '%s' must be a relative path inside the model's directory",
                     name, location.c_str());
  }
  const std::string path = base_dir + "/" + location;
  const std::string real_dir = RealPath(base_dir);
  const std::string real_file = RealPath(path);
  if (real_dir.empty() || real_file.empty()) {
    return ctx.Error("tensor '%s': cannot open external data file '%s': %s", name, path.c_str(), std::strerror(errno));
  }
  if (real_file.compare(0, real_dir.size(), real_dir) != 0 || real_file.size() <= real_dir.size() ||
      (real_dir != "/" && real_file[real_dir.size()] != '/')) {
    return ctx.Error("tensor '%s': external data file '%s' resolves to '%s', outside the model's directory", name,
                     location.c_str(), real_file.c_str());
  }
  int fd = open(real_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return ctx.Error("tensor '%s': cannot open external data file '%s': %s", name, path.c_str(), std::strerror(errno));
  }
  FileCloser closer(fd);
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    return ctx.Error("tensor '%s': external data file '%s' is not a regular file", name, path.c_str());
  }
  const uint64_t file_size = static_cast<uint64_t>(info.st_size);
  if (offset > file_size) {
    return ctx.Error("tensor '%s': external data offset %llu is past the end of '%s' (%llu bytes)", name,
                     static_cast<unsigned long long>(offset), location.c_str(),
                     static_cast<unsigned long long>(file_size));
  }
  if (!has_length) length = file_size - offset;
  if (length > file_size - offset) {
    return ctx.Error("tensor '%s': external data range [%llu, +%llu) runs past the end of '%s' (%llu bytes)", name,
                     static_cast<unsigned long long>(offset), static_cast<unsigned long long>(length),
                     location.c_str(), static_cast<unsigned long long>(file_size));
  }
  // Element counts are capped at 2^56 by the caller, so this product fits.
  const uint64_t expected = static_cast<uint64_t>(exec::ElementCount(shape)) * exec::DTypeSize(type);
  if (length != expected) {
    return ctx.Error("tensor '%s': external data in '%s' has %llu bytes, but %s %s needs %llu", name,
                     location.c_str(), static_cast<unsigned long long>(length), exec::DTypeName(type),
                     exec::ShapeToString(shape).c_str(), static_cast<unsigned long long>(expected));
  }
  EXEC_RETURN_IF_ERROR(exec::Tensor::Allocate(type, shape, out));
  uint8_t *dest = static_cast<uint8_t *>(out->raw());
  uint64_t done = 0;
  while (done < length) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(length - done, size_t{1} << 30));
    ssize_t got = pread(fd, dest + done, chunk, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      return ctx.Error("tensor '%s': reading external data file '%s' failed: %s", name, location.c_str(),
                       got < 0 ? std::strerror(errno) : "unexpected end of file");
    }
    done += static_cast<uint64_t>(got);
  }
  if (type == exec::DType::kBool) {
    for (uint64_t i = 0; i < length; ++i) dest[i] = dest[i] != 0 ? 1 : 0;
  }
  return Status::Ok();
}

}  // namespace aclsim::onnx
