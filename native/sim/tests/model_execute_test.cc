// aclmdlExecute: numbers, output descriptors, auto-allocated outputs, I/O type conversion,
// dynamic shapes, every error code of a synchronous execution, concurrent executions, faults.
#include <cmath>

#include "model_test_util.h"

using namespace simtest;

namespace {

class ModelExecuteTest : public ModelTest {};

class NonStrictExecuteTest : public ModelTest {
  OptionList Options() const override { return {{"strict", "0"}}; }
};

class OneThreadExecuteTest : public ModelTest {
  OptionList Options() const override { return {{"threads", "1"}}; }
};

const std::vector<float> kA = {1, -2, 3, -4, 5, -6};
const std::vector<float> kB = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
const std::vector<float> kSum = {1.5f, -1.5f, 3.5f, -3.5f, 5.5f, -5.5f};
const std::vector<float> kRelu = {1.5f, 0, 3.5f, 0, 5.5f, 0};

TEST_F(ModelExecuteTest, AddsAndRectifies) {
  uint32_t id = Load("add_relu.onnx");
  void *a = ToDevice(kA), *b = ToDevice(kB);
  void *sum = DeviceBytes(24), *relu = DeviceBytes(24);
  Dataset in{{a, 24}, {b, 24}}, out{{sum, 24}, {relu, 24}};
  ASSERT_EQ(aclmdlExecute(id, in.get(), out.get()), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(FromDevice<float>(sum, 6), kSum);
  EXPECT_EQ(FromDevice<float>(relu, 6), kRelu);
  for (size_t i = 0; i < 2; ++i) {
    aclTensorDesc *desc = aclmdlGetDatasetTensorDesc(out.get(), i);
    ASSERT_NE(desc, nullptr);
    EXPECT_EQ(DescDims(desc), (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(aclGetTensorDescType(desc), ACL_FLOAT);
    EXPECT_EQ(aclGetTensorDescFormat(desc), ACL_FORMAT_ND);
    EXPECT_EQ(aclGetTensorDescSize(desc), 24u);
  }
  // Buffers larger than needed are fine; only the result's bytes are written.
  void *big = DeviceBytes(100);
  Dataset out2{{big, 100}, {relu, 24}};
  ASSERT_EQ(aclmdlExecute(id, in.get(), out2.get()), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(FromDevice<float>(big, 7), (std::vector<float>{1.5f, -1.5f, 3.5f, -3.5f, 5.5f, -5.5f, 0}));
}

TEST_F(ModelExecuteTest, BuffersMayStartInsideAnAllocation) {
  uint32_t id = Load("add_relu.onnx");
  void *block = DeviceBytes(256);
  auto at = [&](size_t offset) { return static_cast<uint8_t *>(block) + offset; };
  ASSERT_EQ(aclrtMemcpy(at(2), 24, kA.data(), 24, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);  // unaligned
  ASSERT_EQ(aclrtMemcpy(at(64), 24, kB.data(), 24, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
  Dataset in{{at(2), 24}, {at(64), 24}}, out{{at(101), 24}, {at(160), 24}};
  ASSERT_EQ(aclmdlExecute(id, in.get(), out.get()), ACL_SUCCESS) << TakeError();
  std::vector<float> sum(6);
  ASSERT_EQ(aclrtMemcpy(sum.data(), 24, at(101), 24, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
  EXPECT_EQ(sum, kSum);
}

TEST_F(ModelExecuteTest, AutoAllocatedOutputs) {
  uint32_t id = Load("add_relu.onnx");
  void *a = ToDevice(kA), *b = ToDevice(kB);
  Dataset in{{a, 24}, {b, 24}}, out{{nullptr, 0}, {nullptr, 0}};
  const int64_t before = StatField("allocations");
  ASSERT_EQ(aclmdlExecute(id, in.get(), out.get()), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(StatField("allocations"), before + 2) << "outputs come from the normal allocator";
  for (size_t i = 0; i < 2; ++i) {
    void *data = out.data(i);
    ASSERT_NE(data, nullptr);
    EXPECT_EQ(aclGetDataBufferSizeV2(out.buffer(i)), 24u);
    EXPECT_EQ(FromDevice<float>(data, 6), i == 0 ? kSum : kRelu);
    EXPECT_EQ(DescDims(aclmdlGetDatasetTensorDesc(out.get(), i)), (std::vector<int64_t>{2, 3}));
  }
  EXPECT_NE(std::string(aclsimLeakReport()).find("device allocation: 24 bytes"), std::string::npos);
  EXPECT_NE(std::string(aclsimLeakReport()).find("aclmdlExecute on thread"), std::string::npos);
  // The caller owns them: free, then reset the buffer to (NULL, 0) for the next execution.
  for (size_t i = 0; i < 2; ++i) {
    ASSERT_EQ(aclrtFree(out.data(i)), ACL_SUCCESS);
    ASSERT_EQ(aclUpdateDataBuffer(out.buffer(i), nullptr, 0), ACL_SUCCESS);
  }
  EXPECT_EQ(StatField("allocations"), before);
}

TEST_F(ModelExecuteTest, ConvertsFloat16AndUint8Io) {
  uint32_t id = Load("add_relu.onnx", "inputTypes=a:float16,b:uint8;outputTypes=sum:float16,relu:uint8");
  std::vector<uint16_t> a;
  for (float v : {2.5f, 3.5f, 300.0f, -1.0f, 0.5f, 0.25f}) a.push_back(aclFloatToFloat16(v));
  std::vector<uint8_t> b = {0, 0, 0, 0, 1, 200};
  void *a_dev = ToDevice(a), *b_dev = ToDevice(b);
  void *sum = DeviceBytes(12), *relu = DeviceBytes(6);
  Dataset in{{a_dev, 12}, {b_dev, 6}}, out{{sum, 12}, {relu, 6}};
  ASSERT_EQ(aclmdlExecute(id, in.get(), out.get()), ACL_SUCCESS) << TakeError();
  std::vector<float> sums;
  for (uint16_t h : FromDevice<uint16_t>(sum, 6)) sums.push_back(aclFloat16ToFloat(h));
  EXPECT_EQ(sums, (std::vector<float>{2.5f, 3.5f, 300.0f, -1.0f, 1.5f, 200.25f}));
  // float32 -> uint8 saturates and rounds half to even.
  EXPECT_EQ(FromDevice<uint8_t>(relu, 6), (std::vector<uint8_t>{2, 4, 255, 0, 2, 200}));
  EXPECT_EQ(aclGetTensorDescType(aclmdlGetDatasetTensorDesc(out.get(), 0)), ACL_FLOAT16);
  EXPECT_EQ(aclGetTensorDescType(aclmdlGetDatasetTensorDesc(out.get(), 1)), ACL_UINT8);
  EXPECT_EQ(aclGetTensorDescSize(aclmdlGetDatasetTensorDesc(out.get(), 1)), 6u);
}

TEST_F(ModelExecuteTest, DatasetsMustMatchTheModel) {
  uint32_t id = Load("add_relu.onnx");
  void *a = ToDevice(kA), *b = ToDevice(kB), *sum = DeviceBytes(24), *relu = DeviceBytes(24);
  Dataset one_input{{a, 24}}, out{{sum, 24}, {relu, 24}};
  EXPECT_EQ(aclmdlExecute(id, one_input.get(), out.get()), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(TakeError().find("the input dataset has 1 buffer(s), but model " + std::to_string(id) + " has 2 inputs"),
            std::string::npos);
  Dataset in{{a, 24}, {b, 24}}, three_outputs{{sum, 24}, {relu, 24}, {relu, 24}};
  EXPECT_EQ(aclmdlExecute(id, in.get(), three_outputs.get()), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(TakeError().find("the output dataset has 3 buffer(s)"), std::string::npos);
  EXPECT_EQ(aclmdlExecute(id, nullptr, out.get()), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclmdlExecute(id, in.get(), nullptr), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(TakeError().find("the output dataset is NULL"), std::string::npos);

  Dataset no_data{{nullptr, 24}, {b, 24}};
  EXPECT_EQ(aclmdlExecute(id, no_data.get(), out.get()), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(TakeError().find("input 0 'a' has no memory"), std::string::npos);
  Dataset null_input{{nullptr, 0}, {b, 24}};
  EXPECT_EQ(aclmdlExecute(id, null_input.get(), out.get()), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();

  // A buffer destroyed while still listed in a dataset.
  Dataset stale;
  aclDataBuffer *gone = aclCreateDataBuffer(a, 24);
  ASSERT_EQ(aclmdlAddDatasetBuffer(stale.get(), gone), ACL_SUCCESS);
  stale.Add(b, 24);
  ASSERT_EQ(aclDestroyDataBuffer(gone), ACL_SUCCESS);
  EXPECT_EQ(aclmdlExecute(id, stale.get(), out.get()), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(TakeError().find("the buffer of input 0 'a'"), std::string::npos);
}

TEST_F(ModelExecuteTest, BuffersMustBeDeviceMemoryInStrictMode) {
  uint32_t id = Load("add_relu.onnx");
  std::vector<float> host_a = kA;
  void *b = ToDevice(kB), *sum = DeviceBytes(24), *relu = DeviceBytes(24);
  Dataset in{{host_a.data(), 24}, {b, 24}}, out{{sum, 24}, {relu, 24}};
  EXPECT_EQ(aclmdlExecute(id, in.get(), out.get()), acl::ACL_ERROR_INVALID_PARAM);
  std::string message = TakeError();
  EXPECT_NE(message.find("host memory in the dataset"), std::string::npos) << message;
  void *pinned = nullptr;
  ASSERT_EQ(aclrtMallocHost(&pinned, 24), ACL_SUCCESS);
  Dataset pinned_in{{pinned, 24}, {b, 24}};
  EXPECT_EQ(aclmdlExecute(id, pinned_in.get(), out.get()), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(TakeError().find("pinned host allocation"), std::string::npos);
  ASSERT_EQ(aclrtFreeHost(pinned), ACL_SUCCESS);
}

TEST_F(NonStrictExecuteTest, HostBuffersAreAcceptedWhenNotStrict) {
  uint32_t id = Load("add_relu.onnx");
  std::vector<float> a = kA, sum(6);
  void *pinned = nullptr;
  ASSERT_EQ(aclrtMallocHost(&pinned, 24), ACL_SUCCESS);
  std::memcpy(pinned, kB.data(), 24);
  void *relu = DeviceBytes(24);
  Dataset in{{a.data(), 24}, {pinned, 24}}, out{{sum.data(), 24}, {relu, 24}};
  ASSERT_EQ(aclmdlExecute(id, in.get(), out.get()), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(sum, kSum);
  EXPECT_EQ(FromDevice<float>(relu, 6), kRelu);
  ASSERT_EQ(aclrtFreeHost(pinned), ACL_SUCCESS);
}

TEST_F(ModelExecuteTest, BuffersSmallerThanNeededAre145006) {
  uint32_t id = Load("add_relu.onnx");
  void *a = ToDevice(kA), *b = ToDevice(kB), *sum = DeviceBytes(24), *relu = DeviceBytes(24);
  Dataset short_in{{a, 24}, {b, 20}}, out{{sum, 24}, {relu, 24}};
  EXPECT_EQ(aclmdlExecute(id, short_in.get(), out.get()), acl::ACL_ERROR_GE_EXEC_MODEL_DATA_SIZE_INVALID);
  std::string message = TakeError();
  EXPECT_NE(message.find("input 1 'b' needs 24 bytes (float32 [2, 3]) but its buffer holds 20"), std::string::npos)
      << message;
  Dataset in{{a, 24}, {b, 24}}, short_out{{sum, 24}, {relu, 23}};
  EXPECT_EQ(aclmdlExecute(id, in.get(), short_out.get()), acl::ACL_ERROR_GE_EXEC_MODEL_DATA_SIZE_INVALID);
  EXPECT_NE(TakeError().find("output 1 'relu' needs 24 bytes"), std::string::npos);
}

TEST_F(ModelExecuteTest, BuffersAreCheckedAgainstTheAllocationTable) {
  uint32_t id = Load("add_relu.onnx");
  void *a = ToDevice(kA), *b = ToDevice(kB), *sum = DeviceBytes(24), *relu = DeviceBytes(24);
  Dataset beyond{{a, 48}, {b, 24}}, out{{sum, 24}, {relu, 24}};
  EXPECT_EQ(aclmdlExecute(id, beyond.get(), out.get()), acl::ACL_ERROR_RT_PARAM_INVALID);
  std::string message = TakeError();
  EXPECT_NE(message.find("input 0 'a' range"), std::string::npos) << message;
  EXPECT_NE(message.find("out of bounds"), std::string::npos) << message;

  void *freed = DeviceBytes(24);
  ASSERT_EQ(aclrtFree(freed), ACL_SUCCESS);
  Dataset in{{a, 24}, {b, 24}}, stale_out{{freed, 24}, {relu, 24}};
  EXPECT_EQ(aclmdlExecute(id, in.get(), stale_out.get()), acl::ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_NE(TakeError().find("use after free"), std::string::npos);
}

TEST_F(ModelExecuteTest, DynamicShapesTakeTheirDimsFromTheDataset) {
  uint32_t id = Load("spatial.onnx");
  void *x = ToDevice<float>({1, 2, 3, 4, 5, 6});
  Dataset in{{x, 24}}, out{{nullptr, 0}};
  EXPECT_EQ(aclmdlExecute(id, in.get(), out.get()), acl::ACL_ERROR_INVALID_PARAM);
  std::string message = TakeError();
  EXPECT_NE(message.find("give its actual dims with aclmdlSetDatasetTensorDesc"), std::string::npos) << message;

  const int64_t dims[] = {1, 2, 3};
  aclTensorDesc *desc = aclCreateTensorDesc(ACL_FLOAT, 3, dims, ACL_FORMAT_ND);
  ASSERT_EQ(aclmdlSetDatasetTensorDesc(in.get(), desc, 0), ACL_SUCCESS);
  aclDestroyTensorDesc(desc);
  ASSERT_EQ(aclmdlExecute(id, in.get(), out.get()), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(FromDevice<float>(out.data(0), 6), (std::vector<float>{2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(DescDims(aclmdlGetDatasetTensorDesc(out.get(), 0)), (std::vector<int64_t>{1, 2, 3}));
  ASSERT_EQ(aclrtFree(out.data(0)), ACL_SUCCESS);

  // A user-sized output works when it is large enough.
  void *y = DeviceBytes(24);
  Dataset sized{{y, 24}};
  ASSERT_EQ(aclmdlExecute(id, in.get(), sized.get()), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(FromDevice<float>(y, 2), (std::vector<float>{2, 4}));

  // Dims the buffer cannot hold, and dims that do not fit the model.
  const int64_t bigger[] = {1, 3, 3};
  desc = aclCreateTensorDesc(ACL_FLOAT, 3, bigger, ACL_FORMAT_ND);
  ASSERT_EQ(aclmdlSetDatasetTensorDesc(in.get(), desc, 0), ACL_SUCCESS);
  aclDestroyTensorDesc(desc);
  EXPECT_EQ(aclmdlExecute(id, in.get(), sized.get()), acl::ACL_ERROR_GE_EXEC_MODEL_DATA_SIZE_INVALID);
  EXPECT_NE(TakeError().find("input 0 'x' needs 36 bytes (float32 [1, 3, 3]) but its buffer holds 24"),
            std::string::npos);
  const int64_t wrong[] = {2, 3};
  desc = aclCreateTensorDesc(ACL_FLOAT, 2, wrong, ACL_FORMAT_ND);
  ASSERT_EQ(aclmdlSetDatasetTensorDesc(in.get(), desc, 0), ACL_SUCCESS);
  aclDestroyTensorDesc(desc);
  EXPECT_EQ(aclmdlExecute(id, in.get(), sized.get()), acl::ACL_ERROR_GE_SHAPE_INVALID);
  EXPECT_NE(TakeError().find("do not fit the model's [1, -1, -1]"), std::string::npos);
}

TEST_F(ModelExecuteTest, OutputsWhoseSizeDependsOnInputValues) {
  uint32_t id = Load("reshape_dynamic.onnx");
  void *data = ToDevice<float>({1, 2, 3, 4, 5, 6});
  void *shape = ToDevice<int64_t>({3, 2});
  Dataset in{{data, 24}, {shape, 16}}, out{{nullptr, 0}};
  ASSERT_EQ(aclmdlExecute(id, in.get(), out.get()), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(aclGetDataBufferSizeV2(out.buffer(0)), 24u);
  aclTensorDesc *desc = aclmdlGetDatasetTensorDesc(out.get(), 0);
  EXPECT_EQ(DescDims(desc), (std::vector<int64_t>{3, 2}));
  ASSERT_EQ(aclrtFree(out.data(0)), ACL_SUCCESS);
  ASSERT_EQ(aclUpdateDataBuffer(out.buffer(0), nullptr, 0), ACL_SUCCESS);

  // The next execution updates the same descriptor.
  ASSERT_EQ(aclrtMemcpy(shape, 16, std::vector<int64_t>{1, 6}.data(), 16, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
  ASSERT_EQ(aclmdlExecute(id, in.get(), out.get()), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(aclmdlGetDatasetTensorDesc(out.get(), 0), desc);
  EXPECT_EQ(DescDims(desc), (std::vector<int64_t>{1, 6}));
  ASSERT_EQ(aclrtFree(out.data(0)), ACL_SUCCESS);

  // A caller-sized output too small for the result: the needed size is named.
  void *small = DeviceBytes(16);
  Dataset small_out{{small, 16}};
  EXPECT_EQ(aclmdlExecute(id, in.get(), small_out.get()), acl::ACL_ERROR_GE_EXEC_MODEL_DATA_SIZE_INVALID);
  EXPECT_NE(TakeError().find("output 0 'y' needs 24 bytes (float32 [1, 6]) but its buffer holds 16"),
            std::string::npos);

  // The executor's own errors keep their codes.
  ASSERT_EQ(aclrtMemcpy(shape, 16, std::vector<int64_t>{4, 2}.data(), 16, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
  aclError rc = aclmdlExecute(id, in.get(), small_out.get());
  EXPECT_EQ(rc, acl::ACL_ERROR_GE_SHAPE_INVALID);
  EXPECT_NE(TakeError().find("reshape"), std::string::npos);
}

TEST_F(ModelExecuteTest, ConcurrentExecutionsFromSeveralThreads) {
  uint32_t id = Load("add_relu.onnx");
  constexpr int kThreads = 4, kRuns = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      if (aclrtSetDevice(0) != ACL_SUCCESS) ++failures;
      std::vector<float> a(6);
      for (int i = 0; i < 6; ++i) a[i] = static_cast<float>(t * 10 + i) - 20;
      void *a_dev = ToDevice(a), *b_dev = ToDevice(kB), *sum = DeviceBytes(24), *relu = DeviceBytes(24);
      {
        Dataset in{{a_dev, 24}, {b_dev, 24}}, out{{sum, 24}, {relu, 24}};
        for (int run = 0; run < kRuns; ++run) {
          if (aclmdlExecute(id, in.get(), out.get()) != ACL_SUCCESS) ++failures;
          std::vector<float> got = FromDevice<float>(relu, 6);
          for (int i = 0; i < 6; ++i) {
            if (got[i] != std::max(0.0f, a[i] + 0.5f)) ++failures;
          }
        }
      }
      for (void *p : {a_dev, b_dev, sum, relu}) aclrtFree(p);
      aclrtResetDevice(0);
    });
  }
  for (auto &t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(OneThreadExecuteTest, AnExecutorOfOneThreadRunsOnTheCaller) {
  uint32_t id = Load("add_relu.onnx");
  void *a = ToDevice(kA), *b = ToDevice(kB);
  Dataset in{{a, 24}, {b, 24}}, out{{nullptr, 0}, {nullptr, 0}};
  ASSERT_EQ(aclmdlExecute(id, in.get(), out.get()), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(FromDevice<float>(out.data(1), 6), kRelu);
  char threads[8];
  ASSERT_EQ(aclsimGetOption("threads", threads, sizeof threads), ACL_SUCCESS);
  EXPECT_STREQ(threads, "1");
}

TEST_F(ModelExecuteTest, ExecuteIsFaultableAndFatalCodesLoseTheDevice) {
  uint32_t id = Load("add_relu.onnx");
  void *a = ToDevice(kA), *b = ToDevice(kB), *sum = DeviceBytes(24), *relu = DeviceBytes(24);
  Dataset in{{a, 24}, {b, 24}}, out{{sum, 24}, {relu, 24}};
  ASSERT_EQ(aclsimInjectFault("aclmdlExecute", 1, acl::ACL_ERROR_GE_INTERNAL_ERROR), ACL_SUCCESS);
  EXPECT_EQ(aclmdlExecute(id, in.get(), out.get()), acl::ACL_ERROR_GE_INTERNAL_ERROR);
  EXPECT_EQ(TakeError(), "aclmdlExecute: injected fault 545000 (ACL_ERROR_GE_INTERNAL_ERROR)");
  EXPECT_EQ(aclmdlExecute(id, in.get(), out.get()), ACL_SUCCESS) << TakeError();

  ASSERT_EQ(aclsimInjectFault("aclmdlExecute", 1, acl::ACL_ERROR_RT_MODEL_EXECUTE), ACL_SUCCESS);
  EXPECT_EQ(aclmdlExecute(id, in.get(), out.get()), acl::ACL_ERROR_RT_MODEL_EXECUTE);
  TakeError();
  EXPECT_EQ(StatField("lost", 0), 1);
  EXPECT_EQ(aclmdlExecute(id, in.get(), out.get()), acl::ACL_ERROR_RT_MODEL_EXECUTE);
  EXPECT_NE(TakeError().find("device 0 is lost"), std::string::npos);
  ASSERT_EQ(aclrtResetDeviceForce(0), ACL_SUCCESS);
  EXPECT_EQ(StatField("models"), 0) << "the reset released the model";
}

}  // namespace
