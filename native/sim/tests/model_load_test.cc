// Loading and unloading: files, .om stand-ins, memory images, caller work/weight memory,
// aclmdlQuerySize, the device capacity weights consume, model ids, the errors of each, and how
// models are counted, reported and released by device reset and aclFinalize.
#include "model_test_util.h"

using namespace simtest;

namespace {

class ModelLoadTest : public ModelTest {};

size_t FreeBytes() {
  size_t free_bytes = 0, total = 0;
  EXPECT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &free_bytes, &total), ACL_SUCCESS);
  return free_bytes;
}

TEST_F(ModelLoadTest, LoadsFilesAndMemoryImages) {
  uint32_t from_file = 0, from_memory = 0;
  ASSERT_EQ(aclmdlLoadFromFile(ModelPath("add_relu.onnx").c_str(), &from_file), ACL_SUCCESS) << TakeError();
  std::vector<uint8_t> bytes = ReadModel("add_relu.onnx");
  ASSERT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &from_memory), ACL_SUCCESS) << TakeError();
  EXPECT_NE(from_file, 0u);
  EXPECT_GT(from_memory, from_file);
  EXPECT_EQ(StatField("models"), 2);
  EXPECT_EQ(StatField("models", 0), 2);
  std::string report = aclsimLeakReport();
  EXPECT_NE(report.find("model " + std::to_string(from_file) + " (\"" + ModelPath("add_relu.onnx") + "\") on device 0, "
                        "aclmdlLoadFromFile on thread"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("model " + std::to_string(from_memory) + " (from memory) on device 0, aclmdlLoadFromMem"),
            std::string::npos)
      << report;
  EXPECT_EQ(aclmdlUnload(from_file), ACL_SUCCESS);
  EXPECT_EQ(aclmdlUnload(from_memory), ACL_SUCCESS);
  EXPECT_EQ(StatField("models"), 0);
  EXPECT_EQ(std::string(aclsimLeakReport()).find("model "), std::string::npos);
}

TEST_F(ModelLoadTest, AnOmPathLoadsTheOnnxBesideIt) {
  uint32_t id = 0;
  ASSERT_EQ(aclmdlLoadFromFile(ModelPath("compiled.om").c_str(), &id), ACL_SUCCESS) << TakeError();
  Desc desc(id);
  EXPECT_STREQ(aclmdlGetInputNameByIndex(desc.get(), 0), "x");
  EXPECT_NE(std::string(aclsimLeakReport()).find(ModelPath("compiled.onnx")), std::string::npos);

  EXPECT_EQ(aclmdlLoadFromFile(ModelPath("orphan.om").c_str(), &id), acl::ACL_ERROR_GE_EXEC_MODEL_PATH_INVALID);
  std::string message = TakeError();
  EXPECT_NE(message.find("orphan.onnx\" does not exist beside it"), std::string::npos) << message;
}

TEST_F(ModelLoadTest, PathsThatCannotBeRead) {
  uint32_t id = 0;
  EXPECT_EQ(aclmdlLoadFromFile(ModelPath("missing.onnx").c_str(), &id), acl::ACL_ERROR_GE_EXEC_MODEL_PATH_INVALID);
  EXPECT_NE(TakeError().find("cannot open model file"), std::string::npos);
  EXPECT_EQ(aclmdlLoadFromFile(ModelPath("").c_str(), &id), acl::ACL_ERROR_GE_EXEC_MODEL_PATH_INVALID);
  EXPECT_NE(TakeError().find("is not a regular file"), std::string::npos);
  EXPECT_EQ(aclmdlLoadFromFile(nullptr, &id), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclmdlLoadFromFile(ModelPath("add_relu.onnx").c_str(), nullptr), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();
  EXPECT_EQ(StatField("models"), 0);
}

TEST_F(ModelLoadTest, BytesTheExecutorCannotLoad) {
  uint32_t id = 0;
  EXPECT_EQ(aclmdlLoadFromFile(ModelPath("unsupported_op.onnx").c_str(), &id), acl::ACL_ERROR_GE_PARAM_INVALID);
  std::string message = TakeError();
  EXPECT_NE(message.find("mystery"), std::string::npos) << message;
  EXPECT_NE(message.find("NoSuchOp"), std::string::npos) << message;
  EXPECT_NE(message.find("13"), std::string::npos) << message;  // the opset

  std::vector<uint8_t> bytes = ReadModel("add_relu.onnx");
  EXPECT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size() / 2, &id), acl::ACL_ERROR_GE_PARAM_INVALID);
  EXPECT_NE(TakeError().find("aclmdlLoadFromMem: "), std::string::npos);
  EXPECT_EQ(aclmdlLoadFromMem(bytes.data(), 0, &id), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclmdlLoadFromMem(nullptr, bytes.size(), &id), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();
}

TEST_F(ModelLoadTest, LoadingNeedsACurrentContext) {
  aclError rc = 0;
  std::thread([&] {
    uint32_t id = 0;
    rc = aclmdlLoadFromFile(ModelPath("add_relu.onnx").c_str(), &id);
    TakeError();
  }).join();
  EXPECT_EQ(rc, acl::ACL_ERROR_RT_CONTEXT_NULL);
}

TEST_F(ModelLoadTest, TheModelApiNeedsAclInit) {
  ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
  uint32_t id = 0;
  EXPECT_EQ(aclmdlLoadFromFile(ModelPath("add_relu.onnx").c_str(), &id), acl::ACL_ERROR_GE_EXEC_NOT_INIT);
  EXPECT_NE(TakeError().find("the model executor is not initialised"), std::string::npos);
  size_t work, weight;
  EXPECT_EQ(aclmdlQuerySize(ModelPath("add_relu.onnx").c_str(), &work, &weight), acl::ACL_ERROR_GE_EXEC_NOT_INIT);
  EXPECT_EQ(aclmdlUnload(1), acl::ACL_ERROR_GE_EXEC_NOT_INIT);
  EXPECT_EQ(aclmdlExecute(1, nullptr, nullptr), acl::ACL_ERROR_GE_EXEC_NOT_INIT);
  EXPECT_EQ(aclmdlExecuteAsync(1, nullptr, nullptr, nullptr), acl::ACL_ERROR_GE_EXEC_NOT_INIT);
  EXPECT_EQ(aclmdlSetDynamicBatchSize(1, nullptr, 0, 1), acl::ACL_ERROR_GE_EXEC_NOT_INIT);
  Desc desc;
  EXPECT_EQ(aclmdlGetDesc(desc.get(), 1), acl::ACL_ERROR_GE_EXEC_NOT_INIT);
  EXPECT_EQ(aclmdlGetDescFromFile(desc.get(), ModelPath("add_relu.onnx").c_str()), acl::ACL_ERROR_GE_EXEC_NOT_INIT);
  TakeError();
}

TEST_F(ModelLoadTest, IdsAreNeverReused) {
  uint32_t first = Load("add_relu.onnx");
  ASSERT_EQ(aclmdlUnload(first), ACL_SUCCESS);
  uint32_t second = Load("add_relu.onnx");
  EXPECT_GT(second, first);
  ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
  ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
  SetDevice(0);
  uint32_t third = Load("add_relu.onnx");
  EXPECT_GT(third, second);
}

TEST_F(ModelLoadTest, UnknownIdsAre100011) {
  EXPECT_EQ(aclmdlUnload(0), acl::ACL_ERROR_INVALID_MODEL_ID);
  EXPECT_EQ(aclmdlUnload(987654), acl::ACL_ERROR_INVALID_MODEL_ID);
  uint32_t id = Load("add_relu.onnx");
  ASSERT_EQ(aclmdlUnload(id), ACL_SUCCESS);
  EXPECT_EQ(aclmdlUnload(id), acl::ACL_ERROR_INVALID_MODEL_ID);
  EXPECT_NE(TakeError().find("model id " + std::to_string(id) + " is not a loaded model"), std::string::npos);
  Dataset in, out;
  EXPECT_EQ(aclmdlExecute(id, in.get(), out.get()), acl::ACL_ERROR_INVALID_MODEL_ID);
  EXPECT_EQ(aclmdlExecuteAsync(id, in.get(), out.get(), nullptr), acl::ACL_ERROR_INVALID_MODEL_ID);
  EXPECT_EQ(aclmdlSetDynamicBatchSize(id, in.get(), 0, 1), acl::ACL_ERROR_INVALID_MODEL_ID);
  TakeError();
}

TEST_F(ModelLoadTest, QuerySizeReportsWeightsAndWork) {
  size_t work = 0, weight = 0;
  ASSERT_EQ(aclmdlQuerySize(ModelPath("bias_relu.onnx").c_str(), &work, &weight), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(weight, 16u);  // the bias initializer: 4 floats
  EXPECT_GE(work, 32u);    // at least the input and output
  std::vector<uint8_t> bytes = ReadModel("bias_relu.onnx");
  size_t work2 = 0, weight2 = 0;
  ASSERT_EQ(aclmdlQuerySizeFromMem(bytes.data(), bytes.size(), &work2, &weight2), ACL_SUCCESS);
  EXPECT_EQ(work2, work);
  EXPECT_EQ(weight2, weight);
  ASSERT_EQ(aclmdlQuerySize(ModelPath("add_relu.onnx").c_str(), &work, &weight), ACL_SUCCESS);
  EXPECT_EQ(weight, 0u);

  EXPECT_EQ(aclmdlQuerySize(nullptr, &work, &weight), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclmdlQuerySize(ModelPath("add_relu.onnx").c_str(), nullptr, &weight), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclmdlQuerySize(ModelPath("missing.onnx").c_str(), &work, &weight),
            acl::ACL_ERROR_GE_EXEC_MODEL_PATH_INVALID);
  EXPECT_EQ(aclmdlQuerySizeFromMem(bytes.data(), 3, &work, &weight), acl::ACL_ERROR_GE_PARAM_INVALID);
  EXPECT_EQ(aclmdlQuerySizeFromMem(nullptr, 3, &work, &weight), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();
}

TEST_F(ModelLoadTest, WeightsConsumeDeviceCapacityUntilUnload) {
  const size_t before = FreeBytes();
  uint32_t id = Load("bias_relu.onnx");
  EXPECT_EQ(before - FreeBytes(), 64u) << "16 bytes of weights consume align32(16) + 32";
  EXPECT_EQ(StatField("allocations"), 0) << "weights are not an allocation";
  EXPECT_EQ(StatField("deviceBytesConsumed"), 64);
  ASSERT_EQ(aclmdlUnload(id), ACL_SUCCESS);
  EXPECT_EQ(FreeBytes(), before);

  uint32_t weightless = Load("add_relu.onnx");
  EXPECT_EQ(FreeBytes(), before);
  ASSERT_EQ(aclmdlUnload(weightless), ACL_SUCCESS);
}

class SmallDeviceTest : public ModelTest {
  OptionList Options() const override { return {{"memoryBytes", "1024"}}; }
};

TEST_F(SmallDeviceTest, TooLittleCapacityForTheWeightsIs207001) {
  void *filler = nullptr;
  // 929 bytes consume 992 of the 1024, leaving 32: less than the 64 the weights need.
  ASSERT_EQ(aclrtMalloc(&filler, 929, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  uint32_t id = 0;
  EXPECT_EQ(aclmdlLoadFromFile(ModelPath("bias_relu.onnx").c_str(), &id), acl::ACL_ERROR_RT_MEMORY_ALLOCATION);
  std::string message = TakeError();
  EXPECT_NE(message.find("for the weights of model"), std::string::npos) << message;
  EXPECT_EQ(StatField("models"), 0);
  ASSERT_EQ(aclrtFree(filler), ACL_SUCCESS);
  EXPECT_EQ(aclmdlLoadFromFile(ModelPath("bias_relu.onnx").c_str(), &id), ACL_SUCCESS) << TakeError();
}

TEST_F(ModelLoadTest, CallerWorkAndWeightMemory) {
  size_t work = 0, weight = 0;
  ASSERT_EQ(aclmdlQuerySize(ModelPath("bias_relu.onnx").c_str(), &work, &weight), ACL_SUCCESS);
  void *work_mem = DeviceBytes(work), *weight_mem = DeviceBytes(weight);
  const size_t before = FreeBytes();
  uint32_t id = 0;
  ASSERT_EQ(aclmdlLoadFromFileWithMem(ModelPath("bias_relu.onnx").c_str(), &id, work_mem, work, weight_mem, weight),
            ACL_SUCCESS)
      << TakeError();
  EXPECT_EQ(FreeBytes(), before) << "weights in caller memory consume nothing more";
  ASSERT_EQ(aclmdlUnload(id), ACL_SUCCESS);

  // NULL lets the system allocate.
  std::vector<uint8_t> bytes = ReadModel("bias_relu.onnx");
  ASSERT_EQ(aclmdlLoadFromMemWithMem(bytes.data(), bytes.size(), &id, nullptr, 0, nullptr, 0), ACL_SUCCESS);
  EXPECT_EQ(before - FreeBytes(), 64u);
  ASSERT_EQ(aclmdlUnload(id), ACL_SUCCESS);

  // Too small, not device memory, beyond the allocation.
  EXPECT_EQ(aclmdlLoadFromFileWithMem(ModelPath("bias_relu.onnx").c_str(), &id, work_mem, work - 1, nullptr, 0),
            acl::ACL_ERROR_GE_PARAM_INVALID);
  EXPECT_NE(TakeError().find("smaller than the"), std::string::npos);
  std::vector<uint8_t> host(weight);
  EXPECT_EQ(aclmdlLoadFromFileWithMem(ModelPath("bias_relu.onnx").c_str(), &id, nullptr, 0, host.data(), weight),
            acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(TakeError().find("not device memory"), std::string::npos);
  EXPECT_EQ(aclmdlLoadFromFileWithMem(ModelPath("bias_relu.onnx").c_str(), &id, nullptr, 0, weight_mem, weight + 100),
            acl::ACL_ERROR_RT_PARAM_INVALID);
  TakeError();
  EXPECT_EQ(StatField("models"), 0);
}

TEST_F(ModelLoadTest, FinalizeReleasesModelsAndReportsThem) {
  uint32_t id = Load("bias_relu.onnx");
  ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
  std::string report = aclsimLeakReport();
  EXPECT_NE(report.find("model " + std::to_string(id) + " (\""), std::string::npos) << report;
  ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
  SetDevice(0);
  EXPECT_EQ(StatField("models"), 0);
  EXPECT_EQ(aclmdlUnload(id), acl::ACL_ERROR_INVALID_MODEL_ID);
  TakeError();
  size_t free_bytes = 0, total = 0;
  ASSERT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &free_bytes, &total), ACL_SUCCESS);
  EXPECT_EQ(free_bytes, total);
}

TEST_F(ModelLoadTest, DeviceResetReleasesItsModels) {
  uint32_t id = Load("bias_relu.onnx");
  ASSERT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
  EXPECT_EQ(StatField("models"), 0);
  SetDevice(0);
  EXPECT_EQ(aclmdlUnload(id), acl::ACL_ERROR_INVALID_MODEL_ID);
  TakeError();
  EXPECT_EQ(FreeBytes(), size_t{1} << 30);
}

TEST_F(ModelLoadTest, DestroyingTheContextReleasesItsModels) {
  aclrtContext context = nullptr;
  ASSERT_EQ(aclrtCreateContext(&context, 0), ACL_SUCCESS);
  uint32_t id = Load("add_relu.onnx");
  SetDevice(0);  // back to the default context
  uint32_t kept = Load("add_relu.onnx");
  ASSERT_EQ(aclrtDestroyContext(context), ACL_SUCCESS);
  EXPECT_EQ(aclmdlUnload(id), acl::ACL_ERROR_INVALID_MODEL_ID);
  TakeError();
  EXPECT_EQ(aclmdlUnload(kept), ACL_SUCCESS);
}

TEST_F(ModelLoadTest, ModelsOfEachDeviceAreCountedApart) {
  ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
  ASSERT_EQ(aclsimSetOption("devices", "2"), ACL_SUCCESS);
  ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
  SetDevice(1);
  uint32_t on_one = Load("add_relu.onnx");
  SetDevice(0);
  Load("add_relu.onnx");
  Load("add_relu.onnx");
  EXPECT_EQ(StatField("models"), 3);
  EXPECT_EQ(StatField("models", 0), 2);
  EXPECT_EQ(StatField("models", 1), 1);
  // A model runs from a context of its own device.
  Dataset in, out;
  EXPECT_EQ(aclmdlExecute(on_one, in.get(), out.get()), acl::ACL_ERROR_RT_MODEL_CONTEXT);
  EXPECT_NE(TakeError().find("was loaded on device 1, but the current context is on device 0"), std::string::npos);
  ASSERT_EQ(aclrtResetDeviceForce(1), ACL_SUCCESS);
  EXPECT_EQ(StatField("models"), 2);
}

TEST_F(ModelLoadTest, LoadAndUnloadAreFaultable) {
  ASSERT_EQ(aclsimInjectFault("aclmdlLoadFromFile", 1, acl::ACL_ERROR_GE_LOAD_MODEL), ACL_SUCCESS);
  uint32_t id = 0;
  EXPECT_EQ(aclmdlLoadFromFile(ModelPath("add_relu.onnx").c_str(), &id), acl::ACL_ERROR_GE_LOAD_MODEL);
  EXPECT_EQ(TakeError(), "aclmdlLoadFromFile: injected fault 545001 (ACL_ERROR_GE_LOAD_MODEL)");
  id = Load("add_relu.onnx");
  ASSERT_EQ(aclsimInjectFault("aclmdlUnload", 1, acl::ACL_ERROR_GE_UNLOAD_MODEL), ACL_SUCCESS);
  EXPECT_EQ(aclmdlUnload(id), acl::ACL_ERROR_GE_UNLOAD_MODEL);
  TakeError();
  EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
}

}  // namespace
