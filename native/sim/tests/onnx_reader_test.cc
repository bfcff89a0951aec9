// The ONNX reader: every message and encoding it must understand, and clear errors for what is
// malformed or unsupported.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "common/float16.h"
#include "sim/onnx/onnx_reader.h"
#include "sim/tests/onnx_test_builder.h"

namespace {

using aclsim::exec::DType;
using aclsim::exec::kInvalidModel;
using aclsim::exec::Status;
using namespace onnxtest;
namespace onnx = aclsim::onnx;

Status Read(const std::string &bytes, onnx::ModelProto *model, const std::string &base_dir = "") {
  onnx::ReadOptions options;
  options.base_dir = base_dir;
  return onnx::ReadModel(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(), options, model);
}

Status ReadT(const Proto &tensor, onnx::TensorProto *out, const std::string &base_dir = "") {
  onnx::ReadOptions options;
  options.base_dir = base_dir;
  const std::string &bytes = tensor.bytes();
  return onnx::ReadTensor(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(), options, out);
}

std::string Message(const Status &s) { return s.message(); }

TEST(OnnxReader, ReadsModelGraphNodesAndIo) {
  ModelBuilder b;
  b.opset = 17;
  b.Input("x", DType::kFloat32, {-1, 3});
  b.Output("y", DType::kFloat32, {-1, 3});
  b.Initializer(FloatTensor("w", {3}, {1, 2, 3}));
  b.AddNode(Node("Mul", {"x", "w"}, {"y"}, {}, "mul0"));
  onnx::ModelProto model;
  ASSERT_TRUE(Read(b.Build(), &model).ok());
  EXPECT_EQ(model.ir_version, 8);
  ASSERT_EQ(model.opset_import.size(), 1u);
  EXPECT_EQ(model.opset_import[0].domain, "");
  EXPECT_EQ(model.opset_import[0].version, 17);
  ASSERT_TRUE(model.has_graph);
  const onnx::GraphProto &g = model.graph;
  EXPECT_EQ(g.name, "test_graph");
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op_type, "Mul");
  EXPECT_EQ(g.nodes[0].name, "mul0");
  EXPECT_EQ(g.nodes[0].inputs, (std::vector<std::string>{"x", "w"}));
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.inputs[0].type.kind, onnx::TypeInfo::Kind::kTensor);
  EXPECT_EQ(g.inputs[0].type.elem_type, 1);
  ASSERT_EQ(g.inputs[0].type.dims.size(), 2u);
  EXPECT_EQ(g.inputs[0].type.dims[0].value, -1);
  EXPECT_EQ(g.inputs[0].type.dims[0].param, "N");
  EXPECT_EQ(g.inputs[0].type.dims[1].value, 3);
  ASSERT_EQ(g.initializers.size(), 1u);
  EXPECT_EQ(g.initializers[0].name, "w");
  EXPECT_EQ(Values<float>(g.initializers[0].value), (std::vector<float>{1, 2, 3}));
}

TEST(OnnxReader, ReadsEveryAttributeKind) {
  Proto graph_attr;
  graph_attr.Bytes(1, "body").Varint(20, 5).Message(6, Proto().Bytes(2, "inner"));
  Proto strings;
  strings.Bytes(1, "ss").Varint(20, 8).Bytes(9, "a").Bytes(9, "bc");
  Proto tensors;
  tensors.Bytes(1, "ts").Varint(20, 9).Message(10, FloatTensor("", {1}, {5})).Message(10, Int64Tensor("", {}, {7}));
  Proto graphs;
  graphs.Bytes(1, "gs").Varint(20, 10).Message(11, Proto()).Message(11, Proto());
  Proto sparse;  // parsed and skipped
  sparse.Bytes(1, "sp").Varint(20, 11).Message(22, Proto().Message(1, FloatTensor("", {1}, {1})));
  Proto type_proto;
  type_proto.Bytes(1, "tp").Varint(20, 13).Message(14, Proto().Message(1, Proto().Varint(1, 1)));
  ModelBuilder b;
  b.AddNode(Node("Foo", {}, {"y"},
                 {AttrFloat("f", 1.5f), AttrInt("i", -3), AttrString("s", "hello"),
                  AttrTensor("t", FloatTensor("", {2}, {1, 2})), graph_attr, AttrFloats("fs", {0.5f, 0.25f}),
                  AttrInts("is", {1, -2, 3}), strings, tensors, graphs, sparse, type_proto}));
  onnx::ModelProto model;
  ASSERT_TRUE(Read(b.Build(), &model).ok()) << Message(Read(b.Build(), &model));
  const auto &attrs = model.graph.nodes[0].attributes;
  ASSERT_EQ(attrs.size(), 12u);
  using K = aclsim::exec::Attribute::Kind;
  EXPECT_EQ(attrs[0].value.kind, K::kFloat);
  EXPECT_EQ(attrs[0].value.f, 1.5f);
  EXPECT_EQ(attrs[1].value.kind, K::kInt);
  EXPECT_EQ(attrs[1].value.i, -3);
  EXPECT_EQ(attrs[2].value.s, "hello");
  EXPECT_EQ(attrs[3].value.kind, K::kTensor);
  EXPECT_EQ(Values<float>(attrs[3].value.t), (std::vector<float>{1, 2}));
  EXPECT_EQ(attrs[4].value.kind, K::kGraph);
  ASSERT_EQ(attrs[4].graphs.size(), 1u);
  EXPECT_EQ(attrs[4].graphs[0]->name, "inner");
  EXPECT_EQ(attrs[5].value.floats, (std::vector<float>{0.5f, 0.25f}));
  EXPECT_EQ(attrs[6].value.ints, (std::vector<int64_t>{1, -2, 3}));
  EXPECT_EQ(attrs[7].value.strings, (std::vector<std::string>{"a", "bc"}));
  ASSERT_EQ(attrs[8].value.tensors.size(), 2u);
  EXPECT_EQ(attrs[8].value.tensors[1].data<int64_t>()[0], 7);
  EXPECT_EQ(attrs[9].graphs.size(), 2u);
  EXPECT_EQ(attrs[10].type, onnx::AttributeType::kSparseTensor);
  EXPECT_EQ(attrs[10].value.kind, K::kOther);
  EXPECT_EQ(attrs[11].type, onnx::AttributeType::kTypeProto);
}

TEST(OnnxReader, InfersAttributeTypeWhenMissing) {
  // Old exporters did not write AttributeProto.type.
  Proto ints;
  ints.Bytes(1, "pads").Bytes(8, Proto().Raw("\x01\x02").bytes());  // packed ints, no type
  Proto f;
  f.Bytes(1, "alpha").Float(2, 0.5f);
  ModelBuilder b;
  b.AddNode(Node("Foo", {}, {"y"}, {ints, f}));
  onnx::ModelProto model;
  ASSERT_TRUE(Read(b.Build(), &model).ok());
  const auto &attrs = model.graph.nodes[0].attributes;
  EXPECT_EQ(attrs[0].type, onnx::AttributeType::kInts);
  EXPECT_EQ(attrs[0].value.ints, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(attrs[1].type, onnx::AttributeType::kFloat);
  EXPECT_EQ(attrs[1].value.f, 0.5f);
}

TEST(OnnxReader, TensorTypedFieldsPackedAndUnpacked) {
  onnx::TensorProto t;
  // float_data unpacked (fixed32 each)
  Proto unpacked;
  unpacked.Varint(1, 2).Varint(2, 1).Float(4, 1.5f).Float(4, -2.0f);
  ASSERT_TRUE(ReadT(unpacked, &t).ok());
  EXPECT_EQ(Values<float>(t.value), (std::vector<float>{1.5f, -2.0f}));
  // float_data packed, dims packed
  Proto packed;
  packed.PackedVarints(1, {2, 1}).Varint(2, 1).PackedFloats(4, {3.0f, 4.0f});
  ASSERT_TRUE(ReadT(packed, &t).ok());
  EXPECT_EQ(t.value.shape(), (aclsim::exec::Shape{2, 1}));
  EXPECT_EQ(Values<float>(t.value), (std::vector<float>{3.0f, 4.0f}));
  // int64_data, with a negative value (10-byte varint)
  Proto i64;
  i64.Varint(1, 3).Varint(2, 7).PackedVarints(7, {-1, 0, int64_t{1} << 40});
  ASSERT_TRUE(ReadT(i64, &t).ok());
  EXPECT_EQ(Values<int64_t>(t.value), (std::vector<int64_t>{-1, 0, int64_t{1} << 40}));
  // int32_data holds int8 (sign-extended), uint16, bool and float16 bits
  Proto i8;
  i8.Varint(1, 2).Varint(2, 3).Varint(5, static_cast<uint64_t>(int64_t{-5})).Varint(5, 7);
  ASSERT_TRUE(ReadT(i8, &t).ok());
  EXPECT_EQ(Values<int8_t>(t.value), (std::vector<int8_t>{-5, 7}));
  Proto b;
  b.Varint(1, 3).Varint(2, 9).PackedVarints(5, {0, 1, 5});
  ASSERT_TRUE(ReadT(b, &t).ok());
  EXPECT_EQ(Values<uint8_t>(t.value), (std::vector<uint8_t>{0, 1, 1}));
  Proto h;
  h.Varint(1, 1).Varint(2, 10).Varint(5, ascendcl::FloatToHalf(2.5f));
  ASSERT_TRUE(ReadT(h, &t).ok());
  EXPECT_EQ(ascendcl::HalfToFloat(t.value.data<uint16_t>()[0]), 2.5f);
  // double_data packed, uint64_data for uint32 and uint64
  Proto d;
  d.Varint(1, 1).Varint(2, 11).Bytes(10, std::string("\0\0\0\0\0\0\xf8\x3f", 8));
  ASSERT_TRUE(ReadT(d, &t).ok());
  EXPECT_EQ(t.value.data<double>()[0], 1.5);
  Proto u32;
  u32.Varint(1, 1).Varint(2, 12).Varint(11, 4000000000u);
  ASSERT_TRUE(ReadT(u32, &t).ok());
  EXPECT_EQ(t.value.data<uint32_t>()[0], 4000000000u);
  Proto u64;
  u64.Varint(2, 13).Varint(11, ~uint64_t{0});  // a scalar: no dims
  ASSERT_TRUE(ReadT(u64, &t).ok());
  EXPECT_EQ(t.value.rank(), 0u);
  EXPECT_EQ(t.value.data<uint64_t>()[0], ~uint64_t{0});
  // bool raw_data is normalised to 0/1
  ASSERT_TRUE(ReadT(TensorRaw("", DType::kBool, {2}, std::string("\x00\x07", 2)), &t).ok());
  EXPECT_EQ(Values<uint8_t>(t.value), (std::vector<uint8_t>{0, 1}));
}

TEST(OnnxReader, StringTensorsAreDeclarationsOnly) {
  Proto s;
  s.Varint(1, 2).Varint(2, 8).Bytes(6, "a").Bytes(6, "b").Bytes(8, "names");
  onnx::TensorProto t;
  ASSERT_TRUE(ReadT(s, &t).ok());
  EXPECT_EQ(t.data_type, 8);
  EXPECT_FALSE(t.value.defined());
  Proto wrong_count;
  wrong_count.Varint(1, 3).Varint(2, 8).Bytes(6, "a");
  EXPECT_EQ(ReadT(wrong_count, &t).code(), kInvalidModel);
}

TEST(OnnxReader, ElementCountsMustMatchTheBytes) {
  onnx::TensorProto t;
  // dims claim 10^12 floats, raw_data has 4 bytes: an error, not a 4 TB allocation.
  Status s = ReadT(TensorRaw("huge", DType::kFloat32, {1000000, 1000000}, std::string(4, '\0')), &t);
  EXPECT_EQ(s.code(), kInvalidModel);
  EXPECT_NE(Message(s).find("raw_data of tensor 'huge' has 4 bytes"), std::string::npos) << Message(s);
  // The same with typed data.
  Proto typed;
  typed.Varint(1, 1000000).Varint(1, 1000000).Varint(2, 1).Float(4, 1.0f);
  s = ReadT(typed, &t);
  EXPECT_EQ(s.code(), kInvalidModel);
  EXPECT_NE(Message(s).find("needs 1000000000000 values in float_data but has 1"), std::string::npos) << Message(s);
  // Overflowing dims.
  Proto overflow;
  overflow.Varint(1, int64_t{1} << 40).Varint(1, int64_t{1} << 40).Varint(2, 1);
  EXPECT_EQ(ReadT(overflow, &t).code(), kInvalidModel);
  // Negative dims.
  Proto negative;
  negative.Varint(1, static_cast<uint64_t>(int64_t{-2})).Varint(2, 1);
  EXPECT_EQ(ReadT(negative, &t).code(), kInvalidModel);
  // Missing data_type.
  EXPECT_EQ(ReadT(Proto().Varint(1, 1).Float(4, 1.0f), &t).code(), kInvalidModel);
  // A packed fixed-width field that is not a multiple of its width.
  EXPECT_EQ(ReadT(Proto().Varint(1, 1).Varint(2, 1).Bytes(4, "abc"), &t).code(), kInvalidModel);
}

TEST(OnnxReader, SkipsUnknownFieldsOfEveryWireType) {
  ModelBuilder b;
  b.Input("x", DType::kFloat32, {1});
  b.Output("x", DType::kFloat32, {1});
  Proto m;
  m.Varint(1, 8);
  m.Varint(100, 12345);                      // varint
  m.Fixed64(101, 0x1122334455667788ull);     // fixed64
  m.Bytes(102, "unknown payload");           // length-delimited
  m.Fixed32(103, 7);                         // fixed32
  m.Message(8, Proto().Varint(2, 13).Varint(99, 1));
  m.Message(14, Proto().Bytes(1, "k").Bytes(2, "v"));  // metadata_props: known to ONNX, unused here
  m.Bytes(7, b.Graph());
  onnx::ModelProto model;
  Status s = Read(m.bytes(), &model);
  ASSERT_TRUE(s.ok()) << Message(s);
  EXPECT_EQ(model.opset_import[0].version, 13);
  EXPECT_EQ(model.graph.inputs.size(), 1u);
}

TEST(OnnxReader, TruncationIsReportedWithFieldAndOffset) {
  Proto m;
  m.Varint(1, 8);
  std::string bytes = m.bytes();
  bytes += '\x3a';                    // field 7 (graph), length-delimited
  bytes += "\xb0\x09";                // claims 1200 bytes
  bytes += std::string(80, '\0');
  onnx::ModelProto model;
  Status s = Read(bytes, &model);
  EXPECT_EQ(s.code(), kInvalidModel);
  EXPECT_EQ(Message(s), "truncated model: field 7 (graph) of ModelProto claims 1200 bytes at offset 5 but only 80 remain")
      << Message(s);
}

TEST(OnnxReader, ErrorsNameThePathInsideTheModel) {
  ModelBuilder b;
  b.AddNode(Node("Relu", {"x"}, {"y"}));
  Proto bad_attribute;  // ints with a truncated packed varint
  bad_attribute.Bytes(1, "pads").Varint(20, 7).Bytes(8, "\x80");
  b.AddNode(Node("Relu", {"y"}, {"z"}, {bad_attribute}));
  onnx::ModelProto model;
  Status s = Read(b.Build(), &model);
  EXPECT_EQ(s.code(), kInvalidModel);
  EXPECT_NE(Message(s).find("(at graph.node[1].attribute[0])"), std::string::npos) << Message(s);
}

TEST(OnnxReader, RejectsWrongWireTypesGroupsAndBadVarints) {
  onnx::ModelProto model;
  // ir_version as a length-delimited field
  Status s = Read(Proto().Bytes(1, "x").bytes(), &model);
  EXPECT_EQ(s.code(), kInvalidModel);
  EXPECT_NE(Message(s).find("field 1 (ir_version) of ModelProto at offset 0 is length-delimited, expected varint"),
            std::string::npos)
      << Message(s);
  // a group
  EXPECT_EQ(Read(std::string("\x0b\x0c", 2), &model).code(), kInvalidModel);
  // an 11-byte varint
  EXPECT_EQ(Read(std::string("\x08") + std::string(10, '\xff') + "\x01", &model).code(), kInvalidModel);
  // field number 0
  EXPECT_EQ(Read(std::string("\x00\x01", 2), &model).code(), kInvalidModel);
  // empty input
  EXPECT_EQ(Read("", &model).code(), kInvalidModel);
}

TEST(OnnxReader, LimitsNestingOfGraphs) {
  Proto graph;  // graph -> node -> attribute(g) -> graph ... 100 levels
  for (int i = 0; i < 100; ++i) {
    Proto attribute;
    attribute.Bytes(1, "body").Varint(20, 5).Message(6, graph);
    Proto node;
    node.Bytes(4, "If").Message(5, attribute);
    graph = Proto().Message(1, node);
  }
  Proto m;
  m.Message(7, graph);
  onnx::ModelProto model;
  Status s = Read(m.bytes(), &model);
  EXPECT_EQ(s.code(), kInvalidModel);
  EXPECT_NE(Message(s).find("nested more than"), std::string::npos) << Message(s);
}

TEST(OnnxReader, SparseInitializersAreRejected) {
  Proto g;
  g.Bytes(2, "g").Message(15, Proto());
  onnx::ModelProto model;
  Status s = Read(Proto().Message(7, g).bytes(), &model);
  EXPECT_EQ(s.code(), kInvalidModel);
  EXPECT_NE(Message(s).find("sparse_initializer"), std::string::npos);
}

TEST(OnnxReader, RecognisesNonTensorTypes) {
  Proto seq_type;
  seq_type.Message(4, Proto().Message(1, Proto().Message(1, Proto().Varint(1, 1))));
  Proto map_type;
  map_type.Message(5, Proto().Varint(1, 7));
  Proto opt_type;
  opt_type.Message(9, Proto());
  Proto g;
  g.Message(11, Proto().Bytes(1, "s").Message(2, seq_type));
  g.Message(11, Proto().Bytes(1, "m").Message(2, map_type));
  g.Message(11, Proto().Bytes(1, "o").Message(2, opt_type));
  g.Message(11, TensorValueInfo("unranked", DType::kFloat32, {}, /*has_shape=*/false));
  g.Message(11, TensorValueInfo("scalar", DType::kFloat32, {}, /*has_shape=*/true));
  g.Message(11, TensorValueInfo("anon", DType::kFloat32, {-2}));
  onnx::ModelProto model;
  ASSERT_TRUE(Read(Proto().Message(7, g).bytes(), &model).ok());
  const auto &in = model.graph.inputs;
  EXPECT_EQ(in[0].type.kind, onnx::TypeInfo::Kind::kSequence);
  EXPECT_EQ(in[1].type.kind, onnx::TypeInfo::Kind::kMap);
  EXPECT_EQ(in[2].type.kind, onnx::TypeInfo::Kind::kOptional);
  EXPECT_FALSE(in[3].type.has_shape);
  EXPECT_TRUE(in[4].type.has_shape);
  EXPECT_TRUE(in[4].type.dims.empty());
  ASSERT_EQ(in[5].type.dims.size(), 1u);
  EXPECT_EQ(in[5].type.dims[0].value, -1);
  EXPECT_EQ(in[5].type.dims[0].param, "");
}

class ExternalDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/aclsim_onnx_XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    mkdir((dir_ + "/sub").c_str(), 0700);
    std::ofstream(dir_ + "/sub/weights.bin", std::ios::binary)
        .write("\0\0\0\0\0\0\x80\x3f\0\0\0\x40", 12);  // 4 bytes of padding, then 1.0f, 2.0f
  }
  void TearDown() override {
    unlink((dir_ + "/sub/weights.bin").c_str());
    unlink((dir_ + "/link.bin").c_str());
    rmdir((dir_ + "/sub").c_str());
    rmdir(dir_.c_str());
  }
  static Proto External(const std::string &location, const std::string &offset, const std::string &length) {
    Proto t;
    t.Varint(1, 2).Varint(2, 1).Bytes(8, "w");
    t.Message(13, Proto().Bytes(1, "location").Bytes(2, location));
    if (!offset.empty()) t.Message(13, Proto().Bytes(1, "offset").Bytes(2, offset));
    if (!length.empty()) t.Message(13, Proto().Bytes(1, "length").Bytes(2, length));
    t.Varint(14, 1);
    return t;
  }
  std::string dir_;
};

TEST_F(ExternalDataTest, ReadsRelativeFiles) {
  onnx::TensorProto t;
  Status s = ReadT(External("sub/weights.bin", "4", "8"), &t, dir_);
  ASSERT_TRUE(s.ok()) << Message(s);
  EXPECT_EQ(Values<float>(t.value), (std::vector<float>{1.0f, 2.0f}));
  // Length defaults to the rest of the file.
  ASSERT_TRUE(ReadT(External("./sub/weights.bin", "4", ""), &t, dir_).ok());
}

TEST_F(ExternalDataTest, RefusesWhatItMustNotRead) {
  onnx::TensorProto t;
  Status s = ReadT(External("sub/weights.bin", "4", "8"), &t, "");
  EXPECT_EQ(s.code(), kInvalidModel);
  EXPECT_NE(Message(s).find("from memory"), std::string::npos) << Message(s);
  s = ReadT(External(dir_ + "/sub/weights.bin", "4", "8"), &t, dir_);
  EXPECT_NE(Message(s).find("must be a relative path"), std::string::npos) << Message(s);
  s = ReadT(External("sub/../../etc/passwd", "", ""), &t, dir_);
  EXPECT_NE(Message(s).find("must be a relative path"), std::string::npos) << Message(s);
  ASSERT_EQ(symlink("/etc/hostname", (dir_ + "/link.bin").c_str()), 0);
  s = ReadT(External("link.bin", "", "8"), &t, dir_);
  EXPECT_NE(Message(s).find("outside the model's directory"), std::string::npos) << Message(s);
  s = ReadT(External("sub/weights.bin", "8", "8"), &t, dir_);
  EXPECT_NE(Message(s).find("runs past the end"), std::string::npos) << Message(s);
  s = ReadT(External("sub/weights.bin", "100", ""), &t, dir_);
  EXPECT_NE(Message(s).find("past the end"), std::string::npos) << Message(s);
  s = ReadT(External("sub/weights.bin", "0", "12"), &t, dir_);
  EXPECT_NE(Message(s).find("has 12 bytes, but float32 [2] needs 8"), std::string::npos) << Message(s);
  s = ReadT(External("sub/missing.bin", "", ""), &t, dir_);
  EXPECT_NE(Message(s).find("cannot open"), std::string::npos) << Message(s);
  s = ReadT(External("sub/weights.bin", "-4", ""), &t, dir_);
  EXPECT_NE(Message(s).find("not a number"), std::string::npos) << Message(s);
  for (const Status &status : {s}) EXPECT_EQ(status.code(), kInvalidModel);
}

}  // namespace
