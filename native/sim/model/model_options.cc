#include "sim/model/model_options.h"

#include <cerrno>
#include <cstdlib>
#include <string_view>

#include "acl/acl_abi.h"
#include "sim/model/data_types.h"

namespace aclsim::model {
namespace {

std::string_view Trim(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && (text[begin] == ' ' || text[begin] == '\t')) ++begin;
  while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  return text.substr(begin, end - begin);
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t at = text.find(separator, start);
    parts.push_back(Trim(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start)));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

exec::Status Error(const std::string &text, const std::string &what) {
  return exec::Status::Error(exec::kInvalidModel, "model options \"" + text + "\": " + what);
}

exec::Status ParseGears(const std::string &text, std::string_view value, std::vector<uint64_t> *out) {
  std::vector<std::string_view> items = Split(value, ',');
  if (items.size() > ACL_MAX_BATCH_NUM) {
    return Error(text, "dynamicBatch lists " + std::to_string(items.size()) + " gears; at most " +
                           std::to_string(ACL_MAX_BATCH_NUM) + " (ACL_MAX_BATCH_NUM) are allowed");
  }
  for (std::string_view item : items) {
    std::string digits(item);
    bool numeric = !digits.empty() && digits.size() <= 10 && digits.find_first_not_of("0123456789") == std::string::npos;
    uint64_t gear = numeric ? std::strtoull(digits.c_str(), nullptr, 10) : 0;
    // A gear beyond 2^31 can never be a real batch; refusing it keeps every size computation far
    // from overflow.
    if (!numeric || gear == 0 || gear > (uint64_t{1} << 31)) {
      return Error(text, "dynamicBatch gear \"" + digits + "\" is not a batch size (a whole number from 1 to 2147483648)");
    }
    if (!out->empty() && gear <= out->back()) {
      return Error(text, "dynamicBatch gears must be ascending and unique (" + std::to_string(gear) + " follows " +
                             std::to_string(out->back()) + ")");
    }
    out->push_back(gear);
  }
  return exec::Status::Ok();
}

exec::Status ParseTypes(const std::string &text, std::string_view key, std::string_view value,
                        std::vector<std::pair<std::string, exec::DType>> *out) {
  for (std::string_view item : Split(value, ',')) {
    size_t colon = item.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Error(text, std::string(key) + " item \"" + std::string(item) + "\" is not name:type");
    }
    std::string name(Trim(item.substr(0, colon)));
    std::string_view type_name = Trim(item.substr(colon + 1));
    exec::DType type = ParseIoTypeName(type_name.data(), type_name.size());
    if (type == exec::DType::kUndefined) {
      return Error(text, std::string(key) + " gives " + name + " the type \"" + std::string(type_name) +
                             "\"; the types a compiled model can present are float16, uint8 and float32");
    }
    for (const auto &[seen, unused] : *out) {
      if (seen == name) return Error(text, std::string(key) + " names " + name + " twice");
    }
    out->emplace_back(std::move(name), type);
  }
  return exec::Status::Ok();
}

thread_local ModelOptions tls_pending;

}  // namespace

exec::Status ParseModelOptions(const std::string &text, ModelOptions *out) {
  ModelOptions options;
  options.text = text;
  bool seen_batch = false, seen_inputs = false, seen_outputs = false;
  for (std::string_view entry : Split(text, ';')) {
    if (entry.empty()) continue;  // "a=1;" and ";;" are harmless
    size_t equals = entry.find('=');
    if (equals == std::string_view::npos) return Error(text, "\"" + std::string(entry) + "\" is not key=value");
    std::string_view key = Trim(entry.substr(0, equals));
    std::string_view value = Trim(entry.substr(equals + 1));
    bool *seen = key == "dynamicBatch" ? &seen_batch
                 : key == "inputTypes" ? &seen_inputs
                 : key == "outputTypes" ? &seen_outputs
                                        : nullptr;
    if (seen == nullptr) {
      return Error(text, "unknown key \"" + std::string(key) + "\" (known: dynamicBatch, inputTypes, outputTypes)");
    }
    if (*seen) return Error(text, std::string(key) + " is given twice");
    *seen = true;
    if (value.empty()) return Error(text, std::string(key) + " has no value");
    exec::Status status = key == "dynamicBatch" ? ParseGears(text, value, &options.gears)
                          : key == "inputTypes" ? ParseTypes(text, key, value, &options.input_types)
                                                : ParseTypes(text, key, value, &options.output_types);
    if (!status.ok()) return status;
  }
  *out = std::move(options);
  return exec::Status::Ok();
}

void SetPendingModelOptions(ModelOptions options) { tls_pending = std::move(options); }

void ClearPendingModelOptions() { tls_pending = ModelOptions(); }

ModelOptions TakePendingModelOptions() {
  ModelOptions options = std::move(tls_pending);
  tls_pending = ModelOptions();
  return options;
}

}  // namespace aclsim::model
