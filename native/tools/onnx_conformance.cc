// onnx_conformance: runs ONNX's backend node tests (Debian's libonnx-testdata) through the
// simulator's executor and reports, test by test, whether the outputs match.
//
//   onnx_conformance [--list] [--json] [--filter SUBSTRING] [--threads N] [DATA_DIR]
//
// DATA_DIR defaults to /usr/share/libonnx-testdata/data/node; each test directory holds
// model.onnx and test_data_set_N/{input,output}_K.pb (serialized TensorProtos). Which tests
// count is decided by Eligibility() below (the rules of issue #3). Outputs are compared like
// ONNX's backend tests: same element type, same shape, and values within
// |got - expected| <= 1e-7 + 1e-3 * |expected| (NaN equals NaN). --list prints every test's
// eligibility without running anything. The exit status is 0 whatever the results: it is a report.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/float16.h"
#include "sim/executor/executable.h"
#include "sim/onnx/onnx_reader.h"

namespace {

using aclsim::exec::DType;
using aclsim::exec::Executable;
using aclsim::exec::Status;
using aclsim::exec::Tensor;
namespace onnx = aclsim::onnx;

constexpr double kRtol = 1e-3;
constexpr double kAtol = 1e-7;

// The ops of issue #3, whatever the registry holds today: the conformance figure counts the
// same tests however far the kernels have come.
const std::set<std::string> &IssueOps() {
  static const std::set<std::string> ops = {
      "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Exp", "Log", "Erf", "Neg", "Abs", "Reciprocal", "Min", "Max",
      "Sum", "Mean", "Floor", "Ceil", "Round", "Sin", "Cos", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid",
      "HardSwish", "Gelu", "Clip", "Softmax", "LogSoftmax", "MatMul", "Gemm", "Conv", "ConvTranspose", "MaxPool",
      "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "BatchNormalization", "LayerNormalization",
      "InstanceNormalization", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Concat", "Split",
      "Slice", "Gather", "GatherElements", "ScatterND", "Expand", "Tile", "Pad", "Resize", "Trilu", "CumSum",
      "Shape", "Size", "Constant", "ConstantOfShape", "Range", "Identity", "Dropout", "Cast", "Where", "Equal",
      "Less", "Greater", "And", "Or", "Not", "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ArgMax", "TopK",
      "QuantizeLinear", "DequantizeLinear"};
  return ops;
}

bool AllowedIoType(int32_t elem_type) {
  switch (static_cast<DType>(elem_type)) {
    // The issue's literal list, the same as tools/conformance.ts, so both runners count one set.
    case DType::kFloat32: case DType::kFloat16: case DType::kFloat64: case DType::kInt8: case DType::kUint8:
    case DType::kInt32: case DType::kInt64: case DType::kBool:
      return true;
    default: return false;
  }
}

const onnx::AttributeProto *FindAttribute(const onnx::NodeProto &node, const char *name) {
  for (const onnx::AttributeProto &attribute : node.attributes) {
    if (attribute.name == name) return &attribute;
  }
  return nullptr;
}

// Whether `name` is a constant false in the graph (an initializer or a Constant node's output).
bool IsConstantFalse(const onnx::GraphProto &graph, const std::string &name) {
  auto is_false = [](const Tensor &t) {
    return t.defined() && t.dtype() == DType::kBool && t.elements() == 1 && t.data<uint8_t>()[0] == 0;
  };
  for (const onnx::TensorProto &initializer : graph.initializers) {
    if (initializer.name == name) return is_false(initializer.value);
  }
  for (const onnx::NodeProto &node : graph.nodes) {
    if (node.op_type != "Constant" || node.outputs.empty() || node.outputs[0] != name) continue;
    const onnx::AttributeProto *value = FindAttribute(node, "value");
    return value != nullptr && is_false(value->value.t);
  }
  return false;
}

// The eligibility rules (issue #3). A test counts when:
//   1. its model.onnx parses;
//   2. every node is in the default domain ("" or "ai.onnx") and its op is one of the issue's
//      ops (IssueOps above);
//   3. every graph input and output is a plain tensor of float32, float16, float64, int8,
//      uint8, int32, int64 or bool (no sequences, maps, optionals,
//      sparse tensors, strings, bfloat16);
// and it is not one of the exclusions:
//   4. Dropout in training mode (a training_mode input that is not a constant false): random;
//   5. Cast (or CastLike) to or from bfloat16 or string (a `to` of BFLOAT16/STRING, or a
//      bfloat16/string initializer or Constant anywhere in the graph);
//   6. Resize with mode "cubic" or coordinate_transformation_mode "tf_crop_and_resize".
// Returns "" when eligible, else the reason.
std::string Eligibility(const onnx::ModelProto &model) {
  const onnx::GraphProto &graph = model.graph;
  for (const onnx::NodeProto &node : graph.nodes) {
    if (!node.domain.empty() && node.domain != "ai.onnx") return "op " + node.domain + "." + node.op_type;
    if (IssueOps().count(node.op_type) == 0) return "op " + node.op_type + " is not in the issue's list";
  }
  for (const auto *list : {&graph.inputs, &graph.outputs}) {
    for (const onnx::ValueInfoProto &value : *list) {
      if (value.type.kind != onnx::TypeInfo::Kind::kTensor) {
        return "'" + value.name + "' is a " + onnx::TypeKindName(value.type.kind);
      }
      if (!AllowedIoType(value.type.elem_type)) {
        return "'" + value.name + "' has element type " +
               aclsim::exec::DTypeName(onnx::DTypeFromOnnx(value.type.elem_type));
      }
    }
  }
  bool has_cast = false;
  for (const onnx::NodeProto &node : graph.nodes) {
    if (node.op_type == "Dropout" && node.inputs.size() >= 3 && !node.inputs[2].empty() &&
        !IsConstantFalse(graph, node.inputs[2])) {
      return "Dropout in training mode (random)";
    }
    if (node.op_type == "Cast" || node.op_type == "CastLike") {
      has_cast = true;
      const onnx::AttributeProto *to = FindAttribute(node, "to");
      if (to != nullptr && (to->value.i == 16 || to->value.i == 8 || to->value.s == "BFLOAT16" ||
                            to->value.s == "STRING")) {
        return "Cast to bfloat16 or string";
      }
    }
    if (node.op_type == "Resize") {
      const onnx::AttributeProto *mode = FindAttribute(node, "mode");
      const onnx::AttributeProto *transform = FindAttribute(node, "coordinate_transformation_mode");
      if (mode != nullptr && mode->value.s == "cubic") return "Resize in cubic mode";
      if (transform != nullptr && transform->value.s == "tf_crop_and_resize") return "Resize with tf_crop_and_resize";
    }
  }
  if (has_cast) {
    auto odd_type = [](int32_t t) { return t == 16 || t == 8; };
    for (const onnx::TensorProto &initializer : graph.initializers) {
      if (odd_type(initializer.data_type)) return "Cast involving bfloat16 or string";
    }
  }
  return "";
}

bool ReadFile(const std::string &path, std::vector<uint8_t> *out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return false;
  out->assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  return true;
}

bool IsDirectory(const std::string &path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

std::vector<std::string> ListDir(const std::string &dir) {
  std::vector<std::string> names;
  DIR *d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent *entry = readdir(d)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

// "input_10.pb" after "input_9.pb".
std::vector<std::string> NumberedFiles(const std::string &dir, const std::string &prefix) {
  std::vector<std::pair<long, std::string>> found;
  for (const std::string &name : ListDir(dir)) {
    if (name.rfind(prefix, 0) != 0 || name.size() < prefix.size() + 4 || name.substr(name.size() - 3) != ".pb") continue;
    found.emplace_back(std::strtol(name.c_str() + prefix.size(), nullptr, 10), dir + "/" + name);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> paths;
  for (auto &entry : found) paths.push_back(entry.second);
  return paths;
}

double ElementAsDouble(const Tensor &t, int64_t i) {
  switch (t.dtype()) {
    case DType::kFloat32: return t.data<float>()[i];
    case DType::kFloat64: return t.data<double>()[i];
    case DType::kFloat16: return ascendcl::HalfToFloat(t.data<uint16_t>()[i]);
    case DType::kInt8: return t.data<int8_t>()[i];
    case DType::kUint8: case DType::kBool: return t.data<uint8_t>()[i];
    case DType::kInt16: return t.data<int16_t>()[i];
    case DType::kUint16: return t.data<uint16_t>()[i];
    case DType::kInt32: return t.data<int32_t>()[i];
    case DType::kUint32: return t.data<uint32_t>()[i];
    case DType::kInt64: return static_cast<double>(t.data<int64_t>()[i]);
    case DType::kUint64: return static_cast<double>(t.data<uint64_t>()[i]);
    default: return NAN;
  }
}

// Integers compare exactly (doubles cannot hold every int64).
bool ElementsEqualExactly(const Tensor &a, const Tensor &b, int64_t i) {
  switch (a.dtype()) {
    case DType::kInt64: return a.data<int64_t>()[i] == b.data<int64_t>()[i];
    case DType::kUint64: return a.data<uint64_t>()[i] == b.data<uint64_t>()[i];
    default: return ElementAsDouble(a, i) == ElementAsDouble(b, i);
  }
}

std::string FormatValue(double v) {
  char text[64];
  std::snprintf(text, sizeof text, "%.9g", v);
  return text;
}

// "" when equal within tolerance, else the first difference.
std::string Compare(const Tensor &got, const Tensor &expected) {
  if (got.dtype() != expected.dtype()) {
    return std::string("element type ") + aclsim::exec::DTypeName(got.dtype()) + ", expected " +
           aclsim::exec::DTypeName(expected.dtype());
  }
  if (got.shape() != expected.shape()) {
    return "shape " + aclsim::exec::ShapeToString(got.shape()) + ", expected " +
           aclsim::exec::ShapeToString(expected.shape());
  }
  const bool is_float = got.dtype() == DType::kFloat32 || got.dtype() == DType::kFloat64 ||
                        got.dtype() == DType::kFloat16;
  int64_t mismatches = 0;
  std::string first;
  for (int64_t i = 0; i < got.elements(); ++i) {
    bool ok;
    if (is_float) {
      const double g = ElementAsDouble(got, i);
      const double e = ElementAsDouble(expected, i);
      ok = (std::isnan(g) && std::isnan(e)) || g == e || std::fabs(g - e) <= kAtol + kRtol * std::fabs(e);
    } else {
      ok = ElementsEqualExactly(got, expected, i);
    }
    if (ok) continue;
    if (mismatches++ == 0) {
      first = "element " + std::to_string(i) + ": got " + FormatValue(ElementAsDouble(got, i)) + ", expected " +
              FormatValue(ElementAsDouble(expected, i));
    }
  }
  if (mismatches == 0) return "";
  return first + " (" + std::to_string(mismatches) + " of " + std::to_string(got.elements()) + " differ)";
}

struct Result {
  std::string name;
  bool eligible = false;
  std::string reason;  // why not eligible
  bool passed = false;
  std::string message;  // the first failure
  double ms = 0;
};

Status LoadTensor(const std::string &path, Tensor *out) {
  std::vector<uint8_t> bytes;
  if (!ReadFile(path, &bytes)) return Status::Error(aclsim::exec::kModelPathInvalid, "cannot read " + path);
  onnx::TensorProto proto;
  EXEC_RETURN_IF_ERROR(onnx::ReadTensor(bytes.data(), bytes.size(), onnx::ReadOptions{}, &proto));
  if (!proto.value.defined()) {
    return Status::Error(aclsim::exec::kDataTypeInvalid,
                         path + ": element type " + std::to_string(proto.data_type) + " cannot be run");
  }
  *out = std::move(proto.value);
  return Status::Ok();
}

void RunTest(const std::string &dir, aclsim::exec::ThreadPool &pool, Result *result) {
  std::vector<uint8_t> bytes;
  if (!ReadFile(dir + "/model.onnx", &bytes)) {
    result->message = "cannot read model.onnx";
    return;
  }
  std::unique_ptr<Executable> executable;
  aclsim::exec::LoadOptions options;
  options.base_dir = dir;
  Status status = Executable::Load(bytes.data(), bytes.size(), options, &executable);
  if (!status.ok()) {
    result->message = "load: " + status.message();
    return;
  }
  int sets = 0;
  for (const std::string &name : ListDir(dir)) {
    const std::string set_dir = dir + "/" + name;
    if (name.rfind("test_data_set_", 0) != 0 || !IsDirectory(set_dir)) continue;
    ++sets;
    std::vector<Tensor> inputs, expected, outputs;
    for (const std::string &path : NumberedFiles(set_dir, "input_")) {
      status = LoadTensor(path, &inputs.emplace_back());
      if (!status.ok()) break;
    }
    for (const std::string &path : NumberedFiles(set_dir, "output_")) {
      if (!status.ok()) break;
      status = LoadTensor(path, &expected.emplace_back());
    }
    if (!status.ok()) {
      result->message = name + ": reading test data: " + status.message();
      return;
    }
    status = executable->Run(inputs, &outputs, pool);
    if (!status.ok()) {
      result->message = name + ": run: " + status.message();
      return;
    }
    if (outputs.size() != expected.size()) {
      result->message = name + ": " + std::to_string(outputs.size()) + " outputs, expected " +
                        std::to_string(expected.size());
      return;
    }
    for (size_t k = 0; k < outputs.size(); ++k) {
      std::string difference = Compare(outputs[k], expected[k]);
      if (!difference.empty()) {
        result->message = name + ": output " + std::to_string(k) + " ('" + executable->outputs()[k].name +
                          "'): " + difference;
        return;
      }
    }
  }
  if (sets == 0) {
    result->message = "no test_data_set_*";
    return;
  }
  result->passed = true;
}

std::string JsonString(const std::string &text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

int Usage() {
  std::fprintf(stderr, "usage: onnx_conformance [--list] [--json] [--filter SUBSTRING] [--threads N] [DATA_DIR]\n");
  return 2;
}

}  // namespace

int main(int argc, char **argv) {
  bool list = false, json = false;
  std::string filter;
  std::string data_dir = "/usr/share/libonnx-testdata/data/node";
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--list") {
      list = true;
    } else if (arg == "--json") {
      json = true;
    } else if (arg == "--filter" && i + 1 < argc) {
      filter = argv[++i];
    } else if (arg == "--threads" && i + 1 < argc) {
      threads = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--help" || arg == "-h" || (!arg.empty() && arg[0] == '-')) {
      return Usage();
    } else {
      data_dir = arg;
    }
  }
  if (!IsDirectory(data_dir)) {
    std::fprintf(stderr, "onnx_conformance: %s is not a directory\n", data_dir.c_str());
    return 2;
  }
  aclsim::exec::ThreadPool pool(threads);
  std::vector<Result> results;
  for (const std::string &name : ListDir(data_dir)) {
    const std::string dir = data_dir + "/" + name;
    if (!filter.empty() && name.find(filter) == std::string::npos) continue;
    if (!IsDirectory(dir)) continue;
    Result result;
    result.name = name;
    std::vector<uint8_t> bytes;
    onnx::ModelProto model;
    onnx::ReadOptions options;
    options.base_dir = dir;
    if (!ReadFile(dir + "/model.onnx", &bytes)) {
      result.reason = "no model.onnx";
    } else {
      Status status = onnx::ReadModel(bytes.data(), bytes.size(), options, &model);
      result.reason = status.ok() ? Eligibility(model) : "the model does not parse: " + status.message();
    }
    result.eligible = result.reason.empty();
    if (result.eligible && !list) {
      auto start = std::chrono::steady_clock::now();
      RunTest(dir, pool, &result);
      result.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    }
    if (!json) {
      if (list) {
        std::printf("%s %s\n", result.eligible ? "eligible  " : "ineligible", result.name.c_str());
        if (!result.eligible) std::printf("           (%s)\n", result.reason.c_str());
      } else if (result.eligible) {
        if (result.passed) {
          std::printf("pass %s\n", result.name.c_str());
        } else {
          std::printf("FAIL %s: %s\n", result.name.c_str(), result.message.c_str());
        }
      }
      std::fflush(stdout);
    }
    results.push_back(std::move(result));
  }

  size_t eligible = 0, passed = 0;
  for (const Result &r : results) {
    eligible += r.eligible;
    passed += r.eligible && r.passed;
  }
  const size_t failed = list ? 0 : eligible - passed;
  const double percent = eligible == 0 ? 0.0 : 100.0 * static_cast<double>(passed) / static_cast<double>(eligible);
  if (json) {
    std::printf("{\"dataDir\": %s, \"listed\": %zu, \"eligible\": %zu", JsonString(data_dir).c_str(), results.size(),
                eligible);
    if (!list) std::printf(", \"passed\": %zu, \"failed\": %zu, \"percent\": %.1f", passed, failed, percent);
    std::printf(", \"tests\": [");
    for (size_t i = 0; i < results.size(); ++i) {
      const Result &r = results[i];
      std::printf("%s\n  {\"name\": %s, \"eligible\": %s", i == 0 ? "" : ",", JsonString(r.name).c_str(),
                  r.eligible ? "true" : "false");
      if (!r.eligible) std::printf(", \"reason\": %s", JsonString(r.reason).c_str());
      if (r.eligible && !list) {
        std::printf(", \"passed\": %s, \"ms\": %.2f", r.passed ? "true" : "false", r.ms);
        if (!r.passed) std::printf(", \"message\": %s", JsonString(r.message).c_str());
      }
      std::printf("}");
    }
    std::printf("\n]}\n");
  } else if (list) {
    std::printf("listed %zu, eligible %zu\n", results.size(), eligible);
  } else {
    std::printf("eligible %zu, passed %zu, failed %zu (%.1f%%)\n", eligible, passed, failed, percent);
  }
  return 0;
}
