// Hostile bytes: a valid model truncated at every length, with bits flipped, with absurd
// lengths and varints written over it, and with bytes inserted and deleted. Load must never
// crash (run this under ASan+UBSan) and must fail with kInvalidModel when it fails; a mutant that
// still loads is run too, and may fail in any way but a crash.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "sim/executor/executable.h"
#include "sim/executor/thread_pool.h"
#include "sim/onnx/onnx_reader.h"
#include "sim/tests/onnx_test_builder.h"

namespace {

using aclsim::exec::DType;
using aclsim::exec::Executable;
using aclsim::exec::Status;
using aclsim::exec::Tensor;
using namespace onnxtest;
namespace exec = aclsim::exec;

// A model that exercises most of the reader: typed and raw initializers, attributes of several
// kinds, value_info, symbolic dims, a subgraph attribute, and shape arithmetic that folds.
std::string SeedModel() {
  ModelBuilder b;
  b.opset = 13;
  b.Input("x", DType::kFloat32, {-1, 4});
  b.Input("ids", DType::kInt64, {3});
  b.Output("y", DType::kFloat32, {-1, 4});
  b.Output("g", DType::kFloat32, {3, 4});
  b.Initializer(FloatTensor("table", {5, 4}, std::vector<float>(20, 0.25f)));
  Proto typed;  // float_data, unpacked
  typed.Varint(1, 4).Varint(2, 1).Bytes(8, "bias");
  for (int i = 0; i < 4; ++i) typed.Float(4, static_cast<float>(i));
  b.Initializer(typed);
  b.Initializer(Int64Tensor("axes", {1}, {1}));
  Proto subgraph;
  subgraph.Bytes(2, "unused_body").Message(1, Node("Identity", {"a"}, {"b"}));
  Proto graph_attr;
  graph_attr.Bytes(1, "body").Varint(20, 5).Message(6, subgraph);
  b.AddNode(Node("Add", {"x", "bias"}, {"a"}, {}, "add"));
  b.AddNode(Node("LeakyRelu", {"a"}, {"l"}, {AttrFloat("alpha", 0.1f)}, "leaky"));
  b.AddNode(Node("Softmax", {"l"}, {"s"}, {AttrInt("axis", -1)}));
  b.AddNode(Node("ReduceSum", {"s", "axes"}, {"r"}, {AttrInt("keepdims", 1)}));
  b.AddNode(Node("Div", {"s", "r"}, {"y"}));
  b.AddNode(Node("Gather", {"table", "ids"}, {"g0"}, {AttrInt("axis", 0)}));
  b.AddNode(Node("Identity", {"g0"}, {"g"}, {AttrString("note", "identity"), AttrInts("unused", {1, 2, 3}),
                                            AttrFloats("unused_f", {1.5f}), graph_attr}));
  b.value_info.push_back(TensorValueInfo("a", DType::kFloat32, {-1, 4}));
  return b.Build();
}

class Fuzz : public ::testing::Test {
 protected:
  // Loads (and maybe runs) one mutant; records what a failing load returned.
  void Try(const std::string &bytes) {
    std::unique_ptr<Executable> e;
    Status s = Load(bytes, &e);
    ++attempts_;
    if (!s.ok()) {
      ASSERT_EQ(s.code(), exec::kInvalidModel) << s.message();
      ASSERT_FALSE(s.message().empty());
      return;
    }
    ++loaded_;
    // Run what still loads, with small inputs of the declared types.
    std::vector<Tensor> inputs;
    for (const exec::IoInfo &io : e->inputs()) {
      exec::Shape shape;
      int64_t count = 1;
      for (int64_t d : io.dims) {
        shape.push_back(d < 0 ? 2 : d);
        count *= shape.back();
      }
      if (!io.rank_known || count > 4096 || !exec::IsRunnable(io.dtype)) return;
      Tensor t(io.dtype, shape);
      std::memset(t.raw(), 0, t.bytes());
      inputs.push_back(t);
    }
    std::vector<Tensor> outputs;
    (void)e->Run(inputs, &outputs, pool_);
  }

  exec::ThreadPool pool_{2};
  int attempts_ = 0;
  int loaded_ = 0;
};

TEST_F(Fuzz, SeedLoadsAndRuns) {
  const std::string seed = SeedModel();
  std::unique_ptr<Executable> e;
  Status s = Load(seed, &e);
  ASSERT_TRUE(s.ok()) << s.message();
  std::vector<Tensor> out;
  s = e->Run({Floats({2, 4}, std::vector<float>(8, 1.0f)), Int64s({3}, {0, 4, -1})}, &out, pool_);
  ASSERT_TRUE(s.ok()) << s.message();
}

TEST_F(Fuzz, TruncatedAtEveryLength) {
  const std::string seed = SeedModel();
  for (size_t length = 0; length < seed.size(); ++length) Try(seed.substr(0, length));
  EXPECT_EQ(attempts_, static_cast<int>(seed.size()));
}

TEST_F(Fuzz, EveryBitFlipped) {
  const std::string seed = SeedModel();
  for (size_t i = 0; i < seed.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string mutant = seed;
      mutant[i] = static_cast<char>(mutant[i] ^ (1 << bit));
      Try(mutant);
    }
  }
  EXPECT_GT(loaded_, 0);  // some flips only change values
}

TEST_F(Fuzz, RandomMultiByteDamage) {
  const std::string seed = SeedModel();
  std::mt19937 random(12345);
  for (int round = 0; round < 3000; ++round) {
    std::string mutant = seed;
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int k = 0; k < edits; ++k) {
      const size_t at = random() % mutant.size();
      switch (random() % 4) {
        case 0: mutant[at] = static_cast<char>(random()); break;
        case 1: mutant.insert(at, 1, static_cast<char>(random())); break;
        case 2: mutant.erase(at, 1 + random() % 8); break;
        case 3: mutant.insert(at, mutant.substr(random() % mutant.size(), 1 + random() % 16)); break;
      }
      if (mutant.empty()) mutant = "x";
    }
    Try(mutant);
  }
}

TEST_F(Fuzz, AbsurdLengthsAndVarints) {
  const std::string seed = SeedModel();
  const std::string huge[] = {
      std::string("\xff\xff\xff\xff\x0f"),                       // 4 GiB length
      std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"),   // 2^64 - 1
      std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"),  // 11 bytes: too long
      std::string("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80"),   // never ends
      std::string("\xe8\x07"),                                    // 1000: more than remains
  };
  for (size_t i = 0; i < seed.size(); ++i) {
    for (const std::string &value : huge) {
      std::string overwrite = seed;
      overwrite.replace(i, std::min(value.size(), seed.size() - i), value);
      Try(overwrite);
      std::string inserted = seed;
      inserted.insert(i, value);
      Try(inserted);
    }
  }
}

TEST_F(Fuzz, TensorFilesTruncatedAndFlipped) {
  Proto tensor;
  tensor.Varint(1, 2).Varint(1, 3).Varint(2, 7).Bytes(8, "t").PackedVarints(7, {1, -2, 3, 1 << 20, -5, 6});
  const std::string seed = tensor.bytes();
  aclsim::onnx::ReadOptions options;
  for (size_t i = 0; i < seed.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string mutant = seed;
      mutant[i] = static_cast<char>(mutant[i] ^ (1 << bit));
      for (const std::string &bytes : {mutant, seed.substr(0, i)}) {
        aclsim::onnx::TensorProto t;
        Status s = aclsim::onnx::ReadTensor(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(), options, &t);
        if (!s.ok()) {
          ASSERT_EQ(s.code(), exec::kInvalidModel);
        }
      }
    }
  }
}

// Many tiny messages: the structure budget stops a small input from becoming a huge parse tree.
TEST_F(Fuzz, DenseEmptyMessagesHitTheBudget) {
  Proto node;
  for (int i = 0; i < 100000; ++i) node.Bytes(5, "");  // 100000 empty attributes: 200 KB
  Proto model;
  model.Message(7, Proto().Message(1, node));
  std::unique_ptr<Executable> e;
  Status s = Load(model.bytes(), &e);
  EXPECT_EQ(s.code(), exec::kInvalidModel);
  EXPECT_NE(s.message().find("64 times"), std::string::npos) << s.message();
}

}  // namespace
