// A model run's values are charged to its device's memory (model/device_budget.h): shapes known
// only at run time cannot take more than the device has left; the run fails with 207001 naming
// the node and the tensor, and the device and the model stay usable.
#include <string>

#include "model_test_util.h"
#include "sim/tests/onnx_test_builder.h"

using namespace simtest;

namespace {

using aclsim::exec::DType;
using onnxtest::ModelBuilder;
using onnxtest::Node;

class ModelMemoryTest : public ModelTest {
  OptionList Options() const override { return {{"memoryBytes", "64MiB"}}; }
};

// y = Tile(x, repeats): x is one float, so y holds `repeats` floats, a size known only at run time.
uint32_t LoadTile() {
  ModelBuilder builder;
  builder.Input("x", DType::kFloat32, {1}).Input("repeats", DType::kInt64, {1}).Output("y", DType::kFloat32, {-1});
  builder.AddNode(Node("Tile", {"x", "repeats"}, {"y"}, {}, "tile"));
  const std::string bytes = builder.Build();
  uint32_t id = 0;
  EXPECT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &id), ACL_SUCCESS) << TakeError();
  return id;
}

// y = ReduceMax(Tile(x, repeats)): a scalar output (so a size known at load) computed from an
// intermediate of `repeats` floats.
uint32_t LoadTileMax() {
  ModelBuilder builder;
  builder.Input("x", DType::kFloat32, {1}).Input("repeats", DType::kInt64, {1}).Output("y", DType::kFloat32, {});
  builder.AddNode(Node("Tile", {"x", "repeats"}, {"tiled"}, {}, "tile"));
  builder.AddNode(Node("ReduceMax", {"tiled"}, {"y"}, {onnxtest::AttrInt("keepdims", 0)}, "max"));
  const std::string bytes = builder.Build();
  uint32_t id = 0;
  EXPECT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &id), ACL_SUCCESS) << TakeError();
  return id;
}

size_t FreeBytes() {
  size_t free_bytes = 0, total = 0;
  EXPECT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &free_bytes, &total), ACL_SUCCESS) << TakeError();
  return free_bytes;
}

// Runs the Tile model with `repeats`; the output is allocated by aclmdlExecute and freed here.
aclError RunTile(uint32_t id, int64_t repeats) {
  void *x = ToDevice<float>({2.5f});
  void *r = ToDevice<int64_t>({repeats});
  aclError code = ACL_SUCCESS;
  {
    Dataset in{{x, 4}, {r, 8}}, out{{nullptr, 0}};
    code = aclmdlExecute(id, in.get(), out.get());
    if (code == ACL_SUCCESS) {
      EXPECT_EQ(aclGetDataBufferSizeV2(out.buffer(0)), static_cast<size_t>(repeats) * 4);
      EXPECT_EQ(FromDevice<float>(out.data(0), 1), std::vector<float>{2.5f});
      EXPECT_EQ(aclrtFree(out.data(0)), ACL_SUCCESS);
    }
  }
  EXPECT_EQ(aclrtFree(x), ACL_SUCCESS);
  EXPECT_EQ(aclrtFree(r), ACL_SUCCESS);
  return code;
}

TEST_F(ModelMemoryTest, ValuesLargerThanTheDeviceFailWith207001) {
  uint32_t id = LoadTile();
  const size_t free_before = FreeBytes();
  // 32 Mi floats: 128 MiB on a 64 MiB device.
  ASSERT_EQ(RunTile(id, int64_t{32} << 20), acl::ACL_ERROR_RT_MEMORY_ALLOCATION);
  const std::string message = TakeError();
  EXPECT_NE(message.find("node 'tile' (Tile"), std::string::npos) << message;
  EXPECT_NE(message.find("a float32 tensor of shape [33554432]"), std::string::npos) << message;
  EXPECT_NE(message.find("out of device memory on device 0 for a value computed by model " + std::to_string(id)),
            std::string::npos)
      << message;
  // Nothing of the failed run stays charged, and the model still runs.
  EXPECT_EQ(FreeBytes(), free_before);
  EXPECT_EQ(RunTile(id, 1000), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(FreeBytes(), free_before);
  EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
}

TEST_F(ModelMemoryTest, TheRunGetsOnlyWhatIsFree) {
  uint32_t id = LoadTile();
  // 4 Mi floats (16 MiB) fit the device, but not beside an allocation of 50 MiB. (The result
  // stays charged until it is stored, so with the output aclmdlExecute allocates the run needs
  // 32 MiB at its peak.)
  const int64_t repeats = int64_t{4} << 20;
  void *held = nullptr;
  ASSERT_EQ(aclrtMalloc(&held, size_t{50} << 20, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  EXPECT_EQ(RunTile(id, repeats), acl::ACL_ERROR_RT_MEMORY_ALLOCATION);
  TakeError();
  ASSERT_EQ(aclrtFree(held), ACL_SUCCESS);
  EXPECT_EQ(RunTile(id, repeats), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
}

TEST_F(ModelMemoryTest, AnAsynchronousRunFailsOnItsStream) {
  uint32_t id = LoadTileMax();
  aclrtStream stream = nullptr;
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  void *x = ToDevice<float>({1.0f});
  void *r = ToDevice<int64_t>({int64_t{32} << 20});
  void *y = DeviceBytes(64);
  {
    Dataset in{{x, 4}, {r, 8}}, out{{y, 4}};
    ASSERT_EQ(aclmdlExecuteAsync(id, in.get(), out.get(), stream), ACL_SUCCESS) << TakeError();
    EXPECT_EQ(aclrtSynchronizeStream(stream), acl::ACL_ERROR_RT_MEMORY_ALLOCATION);
    const std::string message = TakeError();
    EXPECT_NE(message.find("node 'tile' (Tile"), std::string::npos) << message;
    EXPECT_NE(message.find("out of device memory"), std::string::npos) << message;
    // The stream and the model stay usable: the same run with 1000 repeats gives the maximum.
    ASSERT_EQ(aclrtMemcpy(r, 8, std::vector<int64_t>{1000}.data(), 8, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    ASSERT_EQ(aclmdlExecuteAsync(id, in.get(), out.get(), stream), ACL_SUCCESS) << TakeError();
    ASSERT_EQ(aclrtSynchronizeStream(stream), ACL_SUCCESS) << TakeError();
    EXPECT_EQ(FromDevice<float>(y, 1), std::vector<float>{1.0f});
  }
  EXPECT_EQ(aclrtFree(x), ACL_SUCCESS);
  EXPECT_EQ(aclrtFree(r), ACL_SUCCESS);
  EXPECT_EQ(aclrtFree(y), ACL_SUCCESS);
  EXPECT_EQ(aclrtDestroyStream(stream), ACL_SUCCESS);
  EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
}

}  // namespace

// The model-loader fuzzer's finding (native/fuzz/findings/runtime_shape_timeout.onnx): a 593-byte
// model whose run on zeroed inputs broadcast a Mean over hundreds of megabytes (21 s, 1.2 GiB of
// host memory). Run as the fuzzer runs it, on a device of 64 MiB, it now fails at once with 207001.
TEST_F(ModelMemoryTest, TheFuzzersRuntimeShapeFindingIsOutOfDeviceMemory) {
  std::string here = __FILE__;
  const std::string path = here.substr(0, here.rfind("/sim/tests/")) + "/fuzz/findings/runtime_shape_timeout.onnx";
  uint32_t id = 0;
  ASSERT_EQ(aclmdlLoadFromFile(path.c_str(), &id), ACL_SUCCESS) << TakeError();
  aclmdlDesc *desc = aclmdlCreateDesc();
  ASSERT_EQ(aclmdlGetDesc(desc, id), ACL_SUCCESS);
  std::vector<void *> memory;
  Dataset in, out;
  for (int side = 0; side < 2; ++side) {
    const size_t count = side == 0 ? aclmdlGetNumInputs(desc) : aclmdlGetNumOutputs(desc);
    for (size_t i = 0; i < count; ++i) {
      size_t bytes = side == 0 ? aclmdlGetInputSizeByIndex(desc, i) : aclmdlGetOutputSizeByIndex(desc, i);
      memory.push_back(DeviceBytes(bytes == 0 ? 1 : bytes));
      (side == 0 ? in : out).Add(memory.back(), bytes);
    }
  }
  EXPECT_EQ(aclmdlExecute(id, in.get(), out.get()), acl::ACL_ERROR_RT_MEMORY_ALLOCATION);
  const std::string message = TakeError();
  EXPECT_NE(message.find("out of device memory on device 0"), std::string::npos) << message;
  for (void *p : memory) EXPECT_EQ(aclrtFree(p), ACL_SUCCESS);
  EXPECT_EQ(aclmdlDestroyDesc(desc), ACL_SUCCESS);
  EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
}
