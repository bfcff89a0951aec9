// Dynamic batch, emulated as the hardware presents it: the hidden ascend_mbatch_shape_data
// input, -1 batch dims, largest-gear sizes, aclmdlSetDynamicBatchSize and its errors, and
// executions through every gear, for graphs with a symbolic batch (one run) and a batch fixed at
// 1 (one run per sample).
#include <cmath>

#include "model_test_util.h"

using namespace simtest;

namespace {

class ModelBatchTest : public ModelTest {};

constexpr const char *kGears = "dynamicBatch=1,2,4,8";
const float kBias[3] = {0.5f, -0.5f, 1.0f};

// What batch_symbolic.onnx and batch_one.onnx compute: y = softmax(x + bias), z = relu(x).
void Reference(const std::vector<float> &x, std::vector<float> *y, std::vector<float> *z) {
  y->resize(x.size());
  z->resize(x.size());
  for (size_t row = 0; row < x.size() / 3; ++row) {
    double e[3], total = 0;
    for (int c = 0; c < 3; ++c) total += e[c] = std::exp(static_cast<double>(x[row * 3 + c] + kBias[c]));
    for (int c = 0; c < 3; ++c) {
      (*y)[row * 3 + c] = static_cast<float>(e[c] / total);
      (*z)[row * 3 + c] = std::max(0.0f, x[row * 3 + c]);
    }
  }
}

TEST_F(ModelBatchTest, TheDescriptionShowsTheHiddenInputAndTheGears) {
  uint32_t id = Load("batch_symbolic.onnx", kGears);
  Desc desc(id);
  ASSERT_EQ(aclmdlGetNumInputs(desc.get()), 2u);
  EXPECT_STREQ(aclmdlGetInputNameByIndex(desc.get(), 1), ACL_DYNAMIC_TENSOR_NAME);
  size_t index = 0;
  ASSERT_EQ(aclmdlGetInputIndexByName(desc.get(), ACL_DYNAMIC_TENSOR_NAME, &index), ACL_SUCCESS);
  EXPECT_EQ(index, 1u);
  EXPECT_EQ(aclmdlGetInputDataType(desc.get(), 1), ACL_INT64);
  EXPECT_EQ(aclmdlGetInputSizeByIndex(desc.get(), 1), 8u);
  EXPECT_EQ(aclmdlGetInputFormat(desc.get(), 1), ACL_FORMAT_ND);
  aclmdlIODims dims;
  ASSERT_EQ(aclmdlGetInputDims(desc.get(), 1, &dims), ACL_SUCCESS);
  EXPECT_EQ(Dims(dims), (std::vector<int64_t>{1}));
  ASSERT_EQ(aclmdlGetInputDims(desc.get(), 0, &dims), ACL_SUCCESS);
  EXPECT_EQ(Dims(dims), (std::vector<int64_t>{-1, 3}));
  EXPECT_EQ(aclmdlGetInputSizeByIndex(desc.get(), 0), 8u * 3 * 4) << "sizes are for the largest gear";
  EXPECT_EQ(aclmdlGetOutputSizeByIndex(desc.get(), 1), 8u * 3 * 4);
  // Output dims are those of the largest gear (reference §5.8), as are the current ones until a
  // batch is set.
  ASSERT_EQ(aclmdlGetOutputDims(desc.get(), 0, &dims), ACL_SUCCESS);
  EXPECT_EQ(Dims(dims), (std::vector<int64_t>{8, 3}));
  ASSERT_EQ(aclmdlGetCurOutputDims(desc.get(), 0, &dims), ACL_SUCCESS);
  EXPECT_EQ(Dims(dims), (std::vector<int64_t>{8, 3}));
  aclmdlBatch batch;
  ASSERT_EQ(aclmdlGetDynamicBatch(desc.get(), &batch), ACL_SUCCESS);
  ASSERT_EQ(batch.batchCount, 4u);
  EXPECT_EQ(std::vector<uint64_t>(batch.batch, batch.batch + 4), (std::vector<uint64_t>{1, 2, 4, 8}));
}

// Runs every gear through a model loaded from `file` with gears 1, 2, 4, 8, synchronously or on
// a stream, and checks the numbers, the output descriptors and the current output dims.
void RunEveryGear(const std::string &file, bool on_stream) {
  uint32_t id = 0;
  ASSERT_EQ(aclsimSetModelOptions(kGears), ACL_SUCCESS);
  ASSERT_EQ(aclmdlLoadFromFile(ModelPath(file).c_str(), &id), ACL_SUCCESS) << TakeError();
  Desc desc(id);
  size_t hidden = 0;
  ASSERT_EQ(aclmdlGetInputIndexByName(desc.get(), ACL_DYNAMIC_TENSOR_NAME, &hidden), ACL_SUCCESS);
  const size_t max_bytes = aclmdlGetInputSizeByIndex(desc.get(), 0);
  void *x = DeviceBytes(max_bytes), *batch = DeviceBytes(aclmdlGetInputSizeByIndex(desc.get(), hidden));
  void *y = DeviceBytes(aclmdlGetOutputSizeByIndex(desc.get(), 0)), *z = DeviceBytes(max_bytes);
  Dataset in{{x, max_bytes}, {batch, 8}}, out{{y, max_bytes}, {z, max_bytes}};
  aclrtStream stream = nullptr;
  if (on_stream) {
    ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  }
  for (uint64_t gear : {1u, 2u, 4u, 8u}) {
    std::vector<float> input(gear * 3);
    for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<float>(i % 7) - 3.0f + 0.25f * gear;
    ASSERT_EQ(aclrtMemcpy(x, max_bytes, input.data(), input.size() * 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    ASSERT_EQ(aclmdlSetDynamicBatchSize(id, in.get(), hidden, gear), ACL_SUCCESS) << TakeError();
    EXPECT_EQ(FromDevice<uint64_t>(batch, 1)[0], gear) << "the batch is written into the hidden input";
    if (on_stream) {
      ASSERT_EQ(aclmdlExecuteAsync(id, in.get(), out.get(), stream), ACL_SUCCESS) << TakeError();
      ASSERT_EQ(aclrtSynchronizeStream(stream), ACL_SUCCESS) << TakeError();
    } else {
      ASSERT_EQ(aclmdlExecute(id, in.get(), out.get()), ACL_SUCCESS) << TakeError();
    }
    std::vector<float> want_y, want_z;
    Reference(input, &want_y, &want_z);
    std::vector<float> got_y = FromDevice<float>(y, input.size()), got_z = FromDevice<float>(z, input.size());
    for (size_t i = 0; i < input.size(); ++i) {
      EXPECT_NEAR(got_y[i], want_y[i], 1e-6) << file << " gear " << gear << " element " << i;
      EXPECT_EQ(got_z[i], want_z[i]) << file << " gear " << gear << " element " << i;
    }
    EXPECT_EQ(DescDims(aclmdlGetDatasetTensorDesc(out.get(), 0)), (std::vector<int64_t>{static_cast<int64_t>(gear), 3}));
    aclmdlIODims dims;
    ASSERT_EQ(aclmdlGetCurOutputDims(desc.get(), 1, &dims), ACL_SUCCESS);
    EXPECT_EQ(Dims(dims), (std::vector<int64_t>{static_cast<int64_t>(gear), 3}));
  }
  if (on_stream) {
    ASSERT_EQ(aclrtDestroyStream(stream), ACL_SUCCESS);
  }
  ASSERT_EQ(aclmdlUnload(id), ACL_SUCCESS);
}

TEST_F(ModelBatchTest, ASymbolicBatchRunsEveryGearInOneRun) { RunEveryGear("batch_symbolic.onnx", false); }

TEST_F(ModelBatchTest, ABatchFixedAtOneRunsOncePerSample) { RunEveryGear("batch_one.onnx", false); }

TEST_F(ModelBatchTest, EveryGearOnAStream) {
  RunEveryGear("batch_symbolic.onnx", true);
  RunEveryGear("batch_one.onnx", true);
}

TEST_F(ModelBatchTest, BuffersNeedOnlyHoldTheBatchThatRuns) {
  uint32_t id = Load("batch_symbolic.onnx", kGears);
  void *x = ToDevice<float>({1, 2, 3, 4, 5, 6}), *batch = DeviceBytes(8), *y = DeviceBytes(24), *z = DeviceBytes(24);
  Dataset in{{x, 24}, {batch, 8}}, out{{y, 24}, {z, 24}};
  ASSERT_EQ(aclmdlSetDynamicBatchSize(id, in.get(), 1, 2), ACL_SUCCESS);
  ASSERT_EQ(aclmdlExecute(id, in.get(), out.get()), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(FromDevice<float>(z, 6), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  ASSERT_EQ(aclmdlSetDynamicBatchSize(id, in.get(), 1, 4), ACL_SUCCESS);
  EXPECT_EQ(aclmdlExecute(id, in.get(), out.get()), acl::ACL_ERROR_GE_EXEC_MODEL_DATA_SIZE_INVALID);
  EXPECT_NE(TakeError().find("input 0 'x' needs 48 bytes (float32 [4, 3]) but its buffer holds 24"),
            std::string::npos);
  // Auto-allocated outputs take the batch's size.
  Dataset auto_out{{nullptr, 0}, {nullptr, 0}};
  ASSERT_EQ(aclmdlSetDynamicBatchSize(id, in.get(), 1, 1), ACL_SUCCESS);
  ASSERT_EQ(aclmdlExecute(id, in.get(), auto_out.get()), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(aclGetDataBufferSizeV2(auto_out.buffer(0)), 12u);
  ASSERT_EQ(aclrtFree(auto_out.data(0)), ACL_SUCCESS);
  ASSERT_EQ(aclrtFree(auto_out.data(1)), ACL_SUCCESS);
}

TEST_F(ModelBatchTest, SetDynamicBatchSizeErrors) {
  uint32_t id = Load("batch_symbolic.onnx", kGears);
  void *x = DeviceBytes(96), *batch = DeviceBytes(8), *small = DeviceBytes(3);
  Dataset in{{x, 96}, {batch, 8}};
  EXPECT_EQ(aclmdlSetDynamicBatchSize(id, in.get(), 1, 0), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclmdlSetDynamicBatchSize(id, nullptr, 1, 2), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclmdlSetDynamicBatchSize(id, in.get(), 0, 2), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(TakeError().find("index 0 is not model " + std::to_string(id) + "'s dynamic-batch input: that is input 1"),
            std::string::npos);
  EXPECT_EQ(aclmdlSetDynamicBatchSize(id, in.get(), 1, 3), acl::ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID);
  EXPECT_NE(TakeError().find("batch 3 is not one of model " + std::to_string(id) + "'s gears (1, 2, 4, 8)"),
            std::string::npos);
  Dataset short_in{{x, 96}};
  EXPECT_EQ(aclmdlSetDynamicBatchSize(id, short_in.get(), 1, 2), acl::ACL_ERROR_INVALID_PARAM);
  Dataset no_memory{{x, 96}, {nullptr, 8}};
  EXPECT_EQ(aclmdlSetDynamicBatchSize(id, no_memory.get(), 1, 2), acl::ACL_ERROR_GE_DYNAMIC_INPUT_ADDR_INVALID);
  Dataset tiny{{x, 96}, {small, 3}};
  EXPECT_EQ(aclmdlSetDynamicBatchSize(id, tiny.get(), 1, 2), acl::ACL_ERROR_GE_DYNAMIC_INPUT_LENGTH_INVALID);
  TakeError();

  uint32_t fixed = Load("add_relu.onnx");
  EXPECT_EQ(aclmdlSetDynamicBatchSize(fixed, in.get(), 1, 2), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(TakeError().find("has no dynamic batch"), std::string::npos);
}

TEST_F(ModelBatchTest, AFourByteBatchBufferGetsAUint32) {
  uint32_t id = Load("batch_symbolic.onnx", kGears);
  void *x = ToDevice<float>({1, 2, 3, 4, 5, 6}), *batch = DeviceBytes(4), *y = DeviceBytes(24), *z = DeviceBytes(24);
  Dataset in{{x, 24}, {batch, 4}}, out{{y, 24}, {z, 24}};
  ASSERT_EQ(aclmdlSetDynamicBatchSize(id, in.get(), 1, 2), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(FromDevice<uint32_t>(batch, 1)[0], 2u);
  ASSERT_EQ(aclmdlExecute(id, in.get(), out.get()), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(FromDevice<float>(z, 6), (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST_F(ModelBatchTest, ExecutingWithoutAGearIs145013) {
  uint32_t id = Load("batch_symbolic.onnx", kGears);
  void *x = DeviceBytes(96), *batch = DeviceBytes(8), *y = DeviceBytes(96), *z = DeviceBytes(96);
  Dataset in{{x, 96}, {batch, 8}}, out{{y, 96}, {z, 96}};
  EXPECT_EQ(aclmdlExecute(id, in.get(), out.get()), acl::ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID);
  std::string message = TakeError();
  EXPECT_NE(message.find("the batch 0 in input 1 'ascend_mbatch_shape_data' is not one of model"), std::string::npos)
      << message;
  EXPECT_NE(message.find("call aclmdlSetDynamicBatchSize"), std::string::npos);
  EXPECT_EQ(aclmdlExecuteAsync(id, in.get(), out.get(), nullptr), acl::ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID);
  TakeError();
  Dataset missing_hidden{{x, 96}}, outs{{y, 96}, {z, 96}};
  EXPECT_EQ(aclmdlExecute(id, missing_hidden.get(), outs.get()), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(TakeError().find("including the dynamic-batch input 'ascend_mbatch_shape_data' at index 1"),
            std::string::npos);
}

TEST_F(ModelBatchTest, GraphsThatCannotTakeGearsAreRefusedAtLoad) {
  ASSERT_EQ(aclsimSetModelOptions(kGears), ACL_SUCCESS);
  uint32_t id = 0;
  EXPECT_EQ(aclmdlLoadFromFile(ModelPath("batch_three.onnx").c_str(), &id), acl::ACL_ERROR_GE_PARAM_INVALID);
  std::string message = TakeError();
  EXPECT_NE(message.find("input 'x' has shape [3, 4]"), std::string::npos) << message;
  EXPECT_NE(message.find("symbolic, or 1"), std::string::npos) << message;
  ASSERT_EQ(aclsimSetModelOptions(kGears), ACL_SUCCESS);
  EXPECT_EQ(aclmdlLoadFromFile(ModelPath("spatial.onnx").c_str(), &id), acl::ACL_ERROR_GE_PARAM_INVALID);
  EXPECT_NE(TakeError().find("dim 1 is symbolic"), std::string::npos);
}

TEST_F(ModelBatchTest, GearsAndTypeConversionsTogether) {
  uint32_t id = Load("batch_symbolic.onnx", "dynamicBatch=2,4;inputTypes=x:float16;outputTypes=z:uint8");
  Desc desc(id);
  EXPECT_EQ(aclmdlGetInputSizeByIndex(desc.get(), 0), 4u * 3 * 2);
  EXPECT_EQ(aclmdlGetOutputSizeByIndex(desc.get(), 1), 4u * 3 * 1);
  std::vector<uint16_t> x;
  for (float v : {1.5f, -2.0f, 2.5f, 300.0f, 0.4f, 7.0f}) x.push_back(aclFloatToFloat16(v));
  void *x_dev = ToDevice(x), *batch = DeviceBytes(8), *y = DeviceBytes(24), *z = DeviceBytes(6);
  Dataset in{{x_dev, 12}, {batch, 8}}, out{{y, 24}, {z, 6}};
  ASSERT_EQ(aclmdlSetDynamicBatchSize(id, in.get(), 1, 2), ACL_SUCCESS);
  ASSERT_EQ(aclmdlExecute(id, in.get(), out.get()), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(FromDevice<uint8_t>(z, 6), (std::vector<uint8_t>{2, 0, 2, 255, 0, 7}));
}

}  // namespace
