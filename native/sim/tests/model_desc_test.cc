// Model descriptions: counts, sizes, dims, names, formats, data types, index by name, the
// conventions for bad arguments, long names, descriptions from files and memory, and how
// aclsimSetModelOptions changes what a model presents.
#include "model_test_util.h"

using namespace simtest;

namespace {

class ModelDescTest : public ModelTest {};

TEST_F(ModelDescTest, DescribesAStaticModel) {
  uint32_t id = Load("add_relu.onnx");
  Desc desc(id);
  EXPECT_EQ(aclmdlGetNumInputs(desc.get()), 2u);
  EXPECT_EQ(aclmdlGetNumOutputs(desc.get()), 2u);
  EXPECT_STREQ(aclmdlGetInputNameByIndex(desc.get(), 0), "a");
  EXPECT_STREQ(aclmdlGetInputNameByIndex(desc.get(), 1), "b");
  EXPECT_STREQ(aclmdlGetOutputNameByIndex(desc.get(), 0), "sum");
  EXPECT_STREQ(aclmdlGetOutputNameByIndex(desc.get(), 1), "relu");
  EXPECT_EQ(aclmdlGetInputSizeByIndex(desc.get(), 0), 24u);
  EXPECT_EQ(aclmdlGetOutputSizeByIndex(desc.get(), 1), 24u);
  EXPECT_EQ(aclmdlGetInputDataType(desc.get(), 0), ACL_FLOAT);
  EXPECT_EQ(aclmdlGetOutputDataType(desc.get(), 0), ACL_FLOAT);
  EXPECT_EQ(aclmdlGetInputFormat(desc.get(), 0), ACL_FORMAT_ND);
  aclmdlIODims dims;
  ASSERT_EQ(aclmdlGetInputDims(desc.get(), 1, &dims), ACL_SUCCESS);
  EXPECT_STREQ(dims.name, "b");
  EXPECT_EQ(Dims(dims), (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(aclmdlGetInputDimsV2(desc.get(), 1, &dims), ACL_SUCCESS);
  EXPECT_EQ(Dims(dims), (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(aclmdlGetOutputDims(desc.get(), 0, &dims), ACL_SUCCESS);
  EXPECT_STREQ(dims.name, "sum");
  EXPECT_EQ(Dims(dims), (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(aclmdlGetCurOutputDims(desc.get(), 0, &dims), ACL_SUCCESS);
  EXPECT_EQ(Dims(dims), (std::vector<int64_t>{2, 3}));
  size_t index = 9;
  EXPECT_EQ(aclmdlGetInputIndexByName(desc.get(), "b", &index), ACL_SUCCESS);
  EXPECT_EQ(index, 1u);
  EXPECT_EQ(aclmdlGetOutputIndexByName(desc.get(), "relu", &index), ACL_SUCCESS);
  EXPECT_EQ(index, 1u);
  aclmdlBatch batch;
  ASSERT_EQ(aclmdlGetDynamicBatch(desc.get(), &batch), ACL_SUCCESS);
  EXPECT_EQ(batch.batchCount, 0u);
  EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
}

TEST_F(ModelDescTest, FourDimensionalTensorsAreNchw) {
  uint32_t id = Load("image.onnx");
  Desc desc(id);
  EXPECT_EQ(aclmdlGetInputFormat(desc.get(), 0), ACL_FORMAT_NCHW);
  EXPECT_EQ(aclmdlGetOutputFormat(desc.get(), 0), ACL_FORMAT_NCHW);
  EXPECT_EQ(aclmdlGetInputSizeByIndex(desc.get(), 0), 32u);
}

TEST_F(ModelDescTest, BadArgumentsFollowTheRuntimeConventions) {
  uint32_t id = Load("add_relu.onnx");
  Desc desc(id);
  EXPECT_EQ(aclmdlGetNumInputs(nullptr), 0u);
  EXPECT_EQ(aclmdlGetNumOutputs(nullptr), 0u);
  EXPECT_EQ(aclmdlGetInputSizeByIndex(desc.get(), 2), 0u);
  EXPECT_EQ(aclmdlGetOutputSizeByIndex(nullptr, 0), 0u);
  const char *name = aclmdlGetInputNameByIndex(desc.get(), 2);
  ASSERT_NE(name, nullptr);
  EXPECT_STREQ(name, "");
  ASSERT_NE(aclmdlGetOutputNameByIndex(nullptr, 0), nullptr);
  EXPECT_STREQ(aclmdlGetOutputNameByIndex(nullptr, 0), "");
  EXPECT_EQ(aclmdlGetInputFormat(nullptr, 0), ACL_FORMAT_UNDEFINED);
  EXPECT_EQ(aclmdlGetOutputFormat(desc.get(), 5), ACL_FORMAT_UNDEFINED);
  EXPECT_EQ(aclmdlGetInputDataType(desc.get(), 5), ACL_DT_UNDEFINED);
  EXPECT_EQ(aclmdlGetOutputDataType(nullptr, 0), ACL_DT_UNDEFINED);
  aclmdlIODims dims;
  EXPECT_EQ(aclmdlGetInputDims(desc.get(), 2, &dims), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclmdlGetOutputDims(nullptr, 0, &dims), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclmdlGetInputDims(desc.get(), 0, nullptr), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclmdlGetCurOutputDims(desc.get(), 2, &dims), acl::ACL_ERROR_INVALID_PARAM);
  size_t index;
  EXPECT_EQ(aclmdlGetInputIndexByName(desc.get(), "nope", &index), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(TakeError().find("no input named 'nope'"), std::string::npos);
  // The usual "is this a dynamic-batch model?" probe.
  EXPECT_EQ(aclmdlGetInputIndexByName(desc.get(), ACL_DYNAMIC_TENSOR_NAME, &index), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclmdlGetInputIndexByName(desc.get(), nullptr, &index), acl::ACL_ERROR_INVALID_PARAM);
  aclmdlBatch batch;
  EXPECT_EQ(aclmdlGetDynamicBatch(nullptr, &batch), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();

  // A description that was never filled.
  Desc empty;
  EXPECT_EQ(aclmdlGetNumInputs(empty.get()), 0u);
  EXPECT_NE(TakeError().find("describes no model yet"), std::string::npos);
  EXPECT_EQ(aclmdlDestroyDesc(nullptr), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();
}

TEST_F(ModelDescTest, GetDescNeedsALoadedModel) {
  Desc desc;
  EXPECT_EQ(aclmdlGetDesc(desc.get(), 12345), acl::ACL_ERROR_INVALID_MODEL_ID);
  EXPECT_NE(TakeError().find("model id 12345 is not a loaded model"), std::string::npos);
  uint32_t id = Load("add_relu.onnx");
  EXPECT_EQ(aclmdlGetDesc(nullptr, id), acl::ACL_ERROR_INVALID_PARAM);
  ASSERT_EQ(aclmdlUnload(id), ACL_SUCCESS);
  EXPECT_EQ(aclmdlGetDesc(desc.get(), id), acl::ACL_ERROR_INVALID_MODEL_ID);
  TakeError();
}

TEST_F(ModelDescTest, ADescriptionOutlivesItsModel) {
  uint32_t id = Load("add_relu.onnx");
  Desc desc(id);
  ASSERT_EQ(aclmdlUnload(id), ACL_SUCCESS);
  EXPECT_EQ(aclmdlGetNumInputs(desc.get()), 2u);
  EXPECT_STREQ(aclmdlGetInputNameByIndex(desc.get(), 0), "a");
}

TEST_F(ModelDescTest, NamesTooLongForIoDimsAreReplaced) {
  uint32_t id = Load("long_names.onnx");
  Desc desc(id);
  const std::string input = aclmdlGetInputNameByIndex(desc.get(), 0);
  EXPECT_EQ(input.size(), 200u);  // the full name by index
  aclmdlIODims dims;
  ASSERT_EQ(aclmdlGetInputDims(desc.get(), 0, &dims), ACL_SUCCESS);
  std::string expected = "acl_modelId_" + std::to_string(id) + "_input_0_";
  EXPECT_EQ(std::string(dims.name).rfind(expected, 0), 0u) << dims.name;
  EXPECT_LT(std::strlen(dims.name), static_cast<size_t>(ACL_MAX_TENSOR_NAME_LEN));
  aclmdlIODims again;
  ASSERT_EQ(aclmdlGetInputDims(desc.get(), 0, &again), ACL_SUCCESS);
  EXPECT_STREQ(dims.name, again.name);  // stable
  ASSERT_EQ(aclmdlGetOutputDims(desc.get(), 0, &dims), ACL_SUCCESS);
  expected = "acl_modelId_" + std::to_string(id) + "_output_0_";
  EXPECT_EQ(std::string(dims.name).rfind(expected, 0), 0u) << dims.name;
  size_t index = 9;
  EXPECT_EQ(aclmdlGetInputIndexByName(desc.get(), input.c_str(), &index), ACL_SUCCESS);
  EXPECT_EQ(index, 0u);
}

TEST_F(ModelDescTest, DescriptionsFromFilesAndMemory) {
  Desc from_file;
  ASSERT_EQ(aclmdlGetDescFromFile(from_file.get(), ModelPath("bias_relu.onnx").c_str()), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(aclmdlGetNumInputs(from_file.get()), 1u);
  EXPECT_EQ(aclmdlGetInputSizeByIndex(from_file.get(), 0), 16u);
  EXPECT_EQ(StatField("models"), 0) << "describing a file loads no model";

  std::vector<uint8_t> bytes = ReadModel("add_relu.onnx");
  Desc from_memory;
  ASSERT_EQ(aclmdlGetDescFromMem(from_memory.get(), bytes.data(), bytes.size()), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(aclmdlGetNumOutputs(from_memory.get()), 2u);
  aclmdlIODims dims;
  ASSERT_EQ(aclmdlGetCurOutputDims(from_memory.get(), 1, &dims), ACL_SUCCESS);
  EXPECT_EQ(Dims(dims), (std::vector<int64_t>{2, 3}));

  EXPECT_EQ(aclmdlGetDescFromFile(from_file.get(), ModelPath("missing.onnx").c_str()),
            acl::ACL_ERROR_GE_EXEC_MODEL_PATH_INVALID);
  EXPECT_EQ(aclmdlGetDescFromMem(from_memory.get(), bytes.data(), 0), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclmdlGetDescFromMem(from_memory.get(), nullptr, 10), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclmdlGetDescFromFile(nullptr, ModelPath("bias_relu.onnx").c_str()), acl::ACL_ERROR_INVALID_PARAM);
  const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(aclmdlGetDescFromMem(from_memory.get(), junk, sizeof junk), acl::ACL_ERROR_GE_PARAM_INVALID);
  TakeError();
  EXPECT_EQ(aclmdlGetNumOutputs(from_memory.get()), 2u) << "a failed fill leaves the description as it was";
}

TEST_F(ModelDescTest, DynamicShapesHaveUnknownDimsAndSizes) {
  uint32_t id = Load("spatial.onnx");
  Desc desc(id);
  aclmdlIODims dims;
  ASSERT_EQ(aclmdlGetInputDims(desc.get(), 0, &dims), ACL_SUCCESS);
  EXPECT_EQ(Dims(dims), (std::vector<int64_t>{1, -1, -1}));
  EXPECT_EQ(aclmdlGetInputSizeByIndex(desc.get(), 0), 0u);
  ASSERT_EQ(aclmdlGetOutputDims(desc.get(), 0, &dims), ACL_SUCCESS);
  EXPECT_EQ(Dims(dims), (std::vector<int64_t>{1, -1, -1}));
  EXPECT_EQ(aclmdlGetOutputSizeByIndex(desc.get(), 0), 0u);

  uint32_t reshape = Load("reshape_dynamic.onnx");
  Desc reshape_desc(reshape);
  EXPECT_EQ(aclmdlGetInputSizeByIndex(reshape_desc.get(), 0), 24u);
  EXPECT_EQ(aclmdlGetInputDataType(reshape_desc.get(), 1), ACL_INT64);
  EXPECT_EQ(aclmdlGetOutputSizeByIndex(reshape_desc.get(), 0), 0u);
}

TEST_F(ModelDescTest, TypeOptionsChangeWhatTheModelPresents) {
  uint32_t id = Load("add_relu.onnx", "inputTypes=a:float16,b:uint8;outputTypes=sum:float16,relu:uint8");
  Desc desc(id);
  EXPECT_EQ(aclmdlGetInputDataType(desc.get(), 0), ACL_FLOAT16);
  EXPECT_EQ(aclmdlGetInputDataType(desc.get(), 1), ACL_UINT8);
  EXPECT_EQ(aclmdlGetOutputDataType(desc.get(), 0), ACL_FLOAT16);
  EXPECT_EQ(aclmdlGetOutputDataType(desc.get(), 1), ACL_UINT8);
  EXPECT_EQ(aclmdlGetInputSizeByIndex(desc.get(), 0), 12u);
  EXPECT_EQ(aclmdlGetInputSizeByIndex(desc.get(), 1), 6u);
  EXPECT_EQ(aclmdlGetOutputSizeByIndex(desc.get(), 0), 12u);
  EXPECT_EQ(aclmdlGetOutputSizeByIndex(desc.get(), 1), 6u);

  // Options apply to one load on this thread, then are cleared.
  uint32_t plain = Load("add_relu.onnx");
  Desc plain_desc(plain);
  EXPECT_EQ(aclmdlGetInputDataType(plain_desc.get(), 0), ACL_FLOAT);
}

TEST_F(ModelDescTest, OptionsAreThreadLocal) {
  ASSERT_EQ(aclsimSetModelOptions("inputTypes=a:float16"), ACL_SUCCESS);
  uint32_t other = 0;
  std::thread([&] {
    EXPECT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    EXPECT_EQ(aclmdlLoadFromFile(ModelPath("add_relu.onnx").c_str(), &other), ACL_SUCCESS) << TakeError();
    EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
  }).join();
  Desc other_desc(other);
  EXPECT_EQ(aclmdlGetInputDataType(other_desc.get(), 0), ACL_FLOAT);
  uint32_t mine = 0;
  ASSERT_EQ(aclmdlLoadFromFile(ModelPath("add_relu.onnx").c_str(), &mine), ACL_SUCCESS);
  Desc mine_desc(mine);
  EXPECT_EQ(aclmdlGetInputDataType(mine_desc.get(), 0), ACL_FLOAT16);
}

TEST_F(ModelDescTest, BadOptionsAreRefusedWithTheirReason) {
  const std::pair<const char *, const char *> bad_syntax[] = {
      {"dynamicBatch=1,2,2", "ascending and unique"},
      {"dynamicBatch=4,2", "ascending and unique"},
      {"dynamicBatch=0,1", "not a batch size"},
      {"dynamicBatch=x", "not a batch size"},
      {"dynamicBatch=", "has no value"},
      {"inputTypes=a:int64", "float16, uint8 and float32"},
      {"inputTypes=a", "is not name:type"},
      {"inputTypes=a:float16,a:uint8", "names a twice"},
      {"color=red", "unknown key \"color\""},
      {"dynamicBatch=1;dynamicBatch=2", "given twice"},
      {"justtext", "is not key=value"},
  };
  for (const auto &[options, reason] : bad_syntax) {
    EXPECT_EQ(aclsimSetModelOptions(options), acl::ACL_ERROR_GE_PARAM_INVALID) << options;
    std::string message = TakeError();
    EXPECT_NE(message.find(reason), std::string::npos) << options << ": " << message;
  }
  std::string many = "dynamicBatch=";
  for (int gear = 1; gear <= ACL_MAX_BATCH_NUM + 1; ++gear) many += (gear == 1 ? "" : ",") + std::to_string(gear);
  EXPECT_EQ(aclsimSetModelOptions(many.c_str()), acl::ACL_ERROR_GE_PARAM_INVALID);
  EXPECT_NE(TakeError().find("at most 128"), std::string::npos);

  // What only the model can tell: names it does not have, conversions it cannot make.
  const std::pair<const char *, const char *> bad_for_model[] = {
      {"inputTypes=c:float16", "names 'c', which is not an input of the model (inputs: 'a', 'b')"},
      {"outputTypes=a:float16", "names 'a', which is not an output"},
      {"dynamicBatch=1,2", "input 'a' has shape [2, 3]"},
  };
  for (const auto &[options, reason] : bad_for_model) {
    ASSERT_EQ(aclsimSetModelOptions(options), ACL_SUCCESS) << options;
    uint32_t id = 0;
    EXPECT_EQ(aclmdlLoadFromFile(ModelPath("add_relu.onnx").c_str(), &id), acl::ACL_ERROR_GE_PARAM_INVALID);
    std::string message = TakeError();
    EXPECT_NE(message.find(reason), std::string::npos) << options << ": " << message;
  }
  // int64 cannot be presented as float16.
  ASSERT_EQ(aclsimSetModelOptions("inputTypes=shape:float16"), ACL_SUCCESS);
  uint32_t id = 0;
  EXPECT_EQ(aclmdlLoadFromFile(ModelPath("reshape_dynamic.onnx").c_str(), &id), acl::ACL_ERROR_GE_PARAM_INVALID);
  EXPECT_NE(TakeError().find("the graph computes it as int64"), std::string::npos);
  EXPECT_EQ(StatField("models"), 0);

  // NULL and "" clear pending options.
  ASSERT_EQ(aclsimSetModelOptions("inputTypes=a:float16"), ACL_SUCCESS);
  ASSERT_EQ(aclsimSetModelOptions(""), ACL_SUCCESS);
  id = Load("add_relu.onnx");
  Desc desc(id);
  EXPECT_EQ(aclmdlGetInputDataType(desc.get(), 0), ACL_FLOAT);
}

TEST_F(ModelDescTest, AFailingLoadStillConsumesTheOptions) {
  ASSERT_EQ(aclsimSetModelOptions("inputTypes=a:float16"), ACL_SUCCESS);
  uint32_t id = 0;
  EXPECT_EQ(aclmdlLoadFromFile(ModelPath("missing.onnx").c_str(), &id), acl::ACL_ERROR_GE_EXEC_MODEL_PATH_INVALID);
  TakeError();
  id = Load("add_relu.onnx");
  Desc desc(id);
  EXPECT_EQ(aclmdlGetInputDataType(desc.get(), 0), ACL_FLOAT);
}

TEST_F(ModelDescTest, QuerySizeSeesTheOptions) {
  size_t work = 0, weight = 0, work_gears = 0, weight_gears = 0;
  ASSERT_EQ(aclmdlQuerySize(ModelPath("batch_symbolic.onnx").c_str(), &work, &weight), ACL_SUCCESS);
  EXPECT_EQ(weight, 12u);  // the bias: 3 floats
  ASSERT_EQ(aclsimSetModelOptions("dynamicBatch=1,16"), ACL_SUCCESS);
  ASSERT_EQ(aclmdlQuerySize(ModelPath("batch_symbolic.onnx").c_str(), &work_gears, &weight_gears), ACL_SUCCESS)
      << TakeError();
  EXPECT_EQ(weight_gears, 12u);
  EXPECT_GE(work_gears, 16u * 3 * 4 * 3) << "the input and both outputs at the largest gear";
}

TEST_F(ModelDescTest, OptionsApplyToDescriptionsFromFiles) {
  ASSERT_EQ(aclsimSetModelOptions("dynamicBatch=2,4;outputTypes=y:float16"), ACL_SUCCESS);
  Desc desc;
  ASSERT_EQ(aclmdlGetDescFromFile(desc.get(), ModelPath("batch_symbolic.onnx").c_str()), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(aclmdlGetNumInputs(desc.get()), 2u);
  EXPECT_EQ(aclmdlGetOutputDataType(desc.get(), 0), ACL_FLOAT16);
  EXPECT_EQ(aclmdlGetOutputSizeByIndex(desc.get(), 0), 4u * 3 * 2);
  aclmdlIODims dims;
  ASSERT_EQ(aclmdlGetCurOutputDims(desc.get(), 0, &dims), ACL_SUCCESS);
  EXPECT_EQ(Dims(dims), (std::vector<int64_t>{4, 3}));  // no model: the largest gear
}

}  // namespace
