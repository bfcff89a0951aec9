// The protocol-buffer wire format, read by hand (no protobuf dependency): a cursor over one
// message's bytes that yields its fields one at a time, with every length checked against the
// bytes that remain, and error messages that say which field of which message, at which byte
// offset of the input, and where in the model (the parse path) it went wrong.
#ifndef ASCENDCL_SIM_ONNX_WIRE_READER_H_
#define ASCENDCL_SIM_ONNX_WIRE_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/executor/status.h"

namespace aclsim::onnx {

using exec::Status;

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,  // deprecated groups: never used by ONNX, rejected
  kEndGroup = 4,
  kFixed32 = 5,
};
const char *WireTypeName(WireType type);

// Shared by every reader of one input: what is being read ("model", "tensor") for messages,
// the path to the message being parsed ("graph.node[3].attribute[1]"), and the nesting depth.
class ParseContext {
 public:
  explicit ParseContext(const char *what) : what_(what) {}
  const char *what() const { return what_; }

  // kInvalidModel: "<formatted> (at graph.node[3])".
  Status Error(const char *fmt, ...) const __attribute__((format(printf, 2, 3)));
  // kInvalidModel: "truncated <what>: <formatted> (at ...)".
  Status Truncated(const char *fmt, ...) const __attribute__((format(printf, 2, 3)));

  // Path elements are a field name and, for repeated fields, an index: "node" and 3 read as
  // "node[3]". Names are string literals; the text is made only when a message needs it (a
  // string per element cost every parsed node two allocations, the fuzzers' largest share).
  static constexpr size_t kNoIndex = SIZE_MAX;
  void Push(const char *name, size_t index) { path_.push_back(PathElement{name, index}); }
  void Pop() { path_.pop_back(); }
  std::string Path() const;

  // Nested graphs and types: ONNX nests them through attributes (If/Loop bodies) and
  // sequence/map/optional types; hostile input could nest them until the stack overflows.
  static constexpr int kMaxDepth = 32;
  Status Enter(const char *message);
  void Leave() { --depth_; }

  // Memory for the parsed structure (nodes, attributes, value infos, dims...), charged as it is
  // made: a message of two bytes can become a struct of hundreds, so hostile input made of
  // millions of empty messages is cut off at a budget proportional to the input's size.
  void SetBudget(size_t input_size);
  Status Charge(size_t bytes);

 private:
  struct PathElement {
    const char *name;
    size_t index;
  };
  const char *what_;
  std::vector<PathElement> path_;
  int depth_ = 0;
  size_t input_size_ = 0;
  size_t budget_ = SIZE_MAX;
};

// Pushes one path element for a scope: a field (`name`, a string literal) or one element of a
// repeated field (`name`[`index`]).
class PathScope {
 public:
  PathScope(ParseContext &ctx, const char *name, size_t index = ParseContext::kNoIndex) : ctx_(ctx) {
    ctx_.Push(name, index);
  }
  ~PathScope() { ctx_.Pop(); }
  PathScope(const PathScope &) = delete;
  PathScope &operator=(const PathScope &) = delete;

 private:
  ParseContext &ctx_;
};

// One field as read from the wire.
struct WireField {
  uint32_t number = 0;
  WireType type = WireType::kVarint;
  uint64_t value = 0;             // kVarint: the value; kFixed32/kFixed64: the little-endian bits
  const uint8_t *data = nullptr;  // kLengthDelimited: the payload
  size_t size = 0;
  size_t offset = 0;              // absolute offset of the payload (of the value for scalars)
  size_t key_offset = 0;          // absolute offset of the field's key
};

// Names the fields of one message type for error messages; nullptr for an unknown number.
using FieldNamer = const char *(*)(uint32_t number);

class WireReader {
 public:
  // `data` holds `size` bytes that start at absolute offset `base` of the input.
  WireReader(ParseContext &ctx, const char *message, FieldNamer namer, const uint8_t *data, size_t size, size_t base)
      : ctx_(ctx), message_(message), namer_(namer), data_(data), size_(size), base_(base) {}
  // A reader over a length-delimited field's payload.
  WireReader(ParseContext &ctx, const char *message, FieldNamer namer, const WireField &field)
      : WireReader(ctx, message, namer, field.data, field.size, field.offset) {}

  bool AtEnd() const { return pos_ >= size_; }
  // Reads the next field; unknown fields are returned like known ones (callers ignore them),
  // which skips them correctly whatever their wire type.
  Status Next(WireField *field);

  // "field 7 (graph) of ModelProto"
  std::string Describe(const WireField &field) const;
  // Fails unless `field` has wire type `expected`.
  Status Expect(const WireField &field, WireType expected) const;

  // Typed reads of the current field, with the wire type checked.
  Status ReadInt64(const WireField &field, int64_t *out) const;
  Status ReadInt32(const WireField &field, int32_t *out) const;
  Status ReadFloat(const WireField &field, float *out) const;
  Status ReadString(const WireField &field, std::string *out) const;
  // Repeated int64 (dims, attribute ints) and float fields, which a writer may send packed (one
  // length-delimited field) or one value per field: appends the values, charged to the budget.
  Status AppendInt64s(const WireField &field, std::vector<int64_t> *out) const;
  Status AppendFloats(const WireField &field, std::vector<float> *out) const;

  ParseContext &ctx() const { return ctx_; }

 private:
  Status ReadVarint(uint64_t *out, size_t *at);

  ParseContext &ctx_;
  const char *message_;
  FieldNamer namer_;
  const uint8_t *data_;
  size_t size_;
  size_t base_;
  size_t pos_ = 0;
};

// A decoder of packed varints (a repeated int32/int64/uint64 field with wire type 2).
// Count() validates the whole payload first, so callers size their buffers from it.
class PackedVarints {
 public:
  PackedVarints(const uint8_t *data, size_t size) : data_(data), size_(size) {}
  // Number of varints, or -1 when the payload ends inside a varint or one is over 10 bytes.
  int64_t Count() const;
  // The next value; call only after Count() succeeded and at most Count() times.
  uint64_t Next();

 private:
  const uint8_t *data_;
  size_t size_;
  size_t pos_ = 0;
};

// Little-endian loads from unaligned bytes.
uint32_t LoadLe32(const uint8_t *p);
uint64_t LoadLe64(const uint8_t *p);

}  // namespace aclsim::onnx

#endif  // ASCENDCL_SIM_ONNX_WIRE_READER_H_
