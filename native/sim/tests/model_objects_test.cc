// Data buffers, tensor descriptors, datasets, element sizes and float16 conversion (reference
// §4.8, §5.7): plain host objects that work before aclInit and reject destroyed or foreign handles.
#include <cmath>
#include <limits>

#include "model_test_util.h"

using namespace simtest;

namespace {

class ModelObjectsTest : public SimTest {};

TEST(ModelObjectsBeforeInitTest, HostObjectsWorkBeforeAclInit) {
  aclFinalize();
  TakeError();
  aclDataBuffer *buffer = aclCreateDataBuffer(nullptr, 0);
  ASSERT_NE(buffer, nullptr);
  aclmdlDataset *dataset = aclmdlCreateDataset();
  ASSERT_NE(dataset, nullptr);
  EXPECT_EQ(aclmdlAddDatasetBuffer(dataset, buffer), ACL_SUCCESS);
  EXPECT_EQ(aclmdlDestroyDataset(dataset), ACL_SUCCESS);
  EXPECT_EQ(aclDestroyDataBuffer(buffer), ACL_SUCCESS);
  EXPECT_EQ(aclDataTypeSize(ACL_FLOAT16), 2u);
}

TEST_F(ModelObjectsTest, DataBuffersHoldWhatTheyAreGiven) {
  int host = 0;
  aclDataBuffer *buffer = aclCreateDataBuffer(&host, 4);
  ASSERT_NE(buffer, nullptr);
  EXPECT_EQ(aclGetDataBufferAddr(buffer), &host);
  EXPECT_EQ(aclGetDataBufferSizeV2(buffer), 4u);
  EXPECT_EQ(aclUpdateDataBuffer(buffer, nullptr, 0), ACL_SUCCESS);
  EXPECT_EQ(aclGetDataBufferAddr(buffer), nullptr);
  EXPECT_EQ(aclGetDataBufferSizeV2(buffer), 0u);
  EXPECT_EQ(aclDestroyDataBuffer(buffer), ACL_SUCCESS);

  // (NULL, 0) is valid: it asks for an auto-allocated output.
  aclDataBuffer *empty = aclCreateDataBuffer(nullptr, 0);
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(aclDestroyDataBuffer(empty), ACL_SUCCESS);
}

TEST_F(ModelObjectsTest, BadBufferHandlesAreReportedNotDereferenced) {
  EXPECT_EQ(aclGetDataBufferAddr(nullptr), nullptr);
  EXPECT_EQ(aclGetDataBufferSizeV2(nullptr), 0u);
  EXPECT_EQ(aclDestroyDataBuffer(nullptr), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclUpdateDataBuffer(nullptr, nullptr, 0), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();

  aclDataBuffer *buffer = aclCreateDataBuffer(nullptr, 0);
  ASSERT_EQ(aclDestroyDataBuffer(buffer), ACL_SUCCESS);
  EXPECT_EQ(aclDestroyDataBuffer(buffer), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(TakeError().find("is not a live aclDataBuffer"), std::string::npos);

  aclmdlDataset *dataset = aclmdlCreateDataset();
  EXPECT_EQ(aclDestroyDataBuffer(reinterpret_cast<aclDataBuffer *>(dataset)), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(TakeError().find("is an aclmdlDataset, not an aclDataBuffer"), std::string::npos);
  EXPECT_EQ(aclmdlDestroyDataset(dataset), ACL_SUCCESS);
}

TEST_F(ModelObjectsTest, DataTypeSizesFollowTheRuntimeTable) {
  const std::pair<int, size_t> table[] = {
      {-1, 0}, {0, 4}, {1, 2}, {2, 1}, {3, 4}, {4, 1}, {6, 2}, {7, 2}, {8, 4}, {9, 8}, {10, 8}, {11, 8},
      {12, 1}, {13, 0}, {16, 8}, {17, 16}, {27, 2}, {29, 1}, {30, 1}, {33, 4}, {34, 1}, {35, 1}, {36, 1}, {37, 1},
      {38, 8}, {39, 8}, {40, 8}, {41, 8}, {5, 8}, {14, 8}, {100, 8}, {-7, 8}};
  for (const auto &[type, size] : table) {
    aclDataType raw;
    std::memcpy(&raw, &type, sizeof raw);
    EXPECT_EQ(aclDataTypeSize(raw), size) << "type " << type;
  }
}

TEST_F(ModelObjectsTest, Float16ConvertsWithRoundToNearestEven) {
  EXPECT_EQ(aclFloatToFloat16(1.0f), 0x3c00);
  EXPECT_EQ(aclFloatToFloat16(-2.0f), 0xc000);
  EXPECT_EQ(aclFloatToFloat16(65504.0f), 0x7bff);
  EXPECT_EQ(aclFloatToFloat16(1e6f), 0x7c00);  // overflow to infinity
  EXPECT_EQ(aclFloatToFloat16(1.0f + 1.0f / 2048), 0x3c00);  // a tie rounds to even
  EXPECT_EQ(aclFloatToFloat16(1.0f + 3.0f / 2048), 0x3c02);
  EXPECT_EQ(aclFloat16ToFloat(0x3555), 0.333251953125f);
  EXPECT_EQ(aclFloat16ToFloat(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_TRUE(std::isnan(aclFloat16ToFloat(0x7e00)));
}

TEST_F(ModelObjectsTest, TensorDescriptorsCopyTheirDims) {
  int64_t dims[] = {2, 3, 4};
  aclTensorDesc *desc = aclCreateTensorDesc(ACL_FLOAT16, 3, dims, ACL_FORMAT_NCHW);
  ASSERT_NE(desc, nullptr);
  dims[0] = 99;  // copied at creation
  EXPECT_EQ(aclGetTensorDescType(desc), ACL_FLOAT16);
  EXPECT_EQ(aclGetTensorDescFormat(desc), ACL_FORMAT_NCHW);
  EXPECT_EQ(aclGetTensorDescNumDims(desc), 3u);
  EXPECT_EQ(DescDims(desc), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(aclGetTensorDescElementCount(desc), 24u);
  EXPECT_EQ(aclGetTensorDescSize(desc), 48u);
  int64_t dim = 0;
  EXPECT_EQ(aclGetTensorDescDimV2(desc, 3, &dim), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclGetTensorDescDimV2(desc, 0, nullptr), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();
  aclDestroyTensorDesc(desc);
}

TEST_F(ModelObjectsTest, ElementCountRules) {
  aclTensorDesc *scalar = aclCreateTensorDesc(ACL_INT64, 0, nullptr, ACL_FORMAT_ND);
  ASSERT_NE(scalar, nullptr);
  EXPECT_EQ(aclGetTensorDescNumDims(scalar), 0u);
  EXPECT_EQ(aclGetTensorDescElementCount(scalar), 1u);
  EXPECT_EQ(aclGetTensorDescSize(scalar), 8u);
  aclDestroyTensorDesc(scalar);

  const int64_t dynamic[] = {-1, 3};
  aclTensorDesc *unknown = aclCreateTensorDesc(ACL_FLOAT, 2, dynamic, ACL_FORMAT_ND);
  EXPECT_EQ(aclGetTensorDescElementCount(unknown), 0u);
  EXPECT_EQ(aclGetTensorDescSize(unknown), 0u);
  aclDestroyTensorDesc(unknown);

  const int64_t huge[] = {int64_t{1} << 40, int64_t{1} << 40};
  aclTensorDesc *overflow = aclCreateTensorDesc(ACL_FLOAT, 2, huge, ACL_FORMAT_ND);
  EXPECT_EQ(aclGetTensorDescElementCount(overflow), 0u);
  aclDestroyTensorDesc(overflow);

  const int64_t unknown_rank[] = {-2};
  aclTensorDesc *rank = aclCreateTensorDesc(ACL_FLOAT, 1, unknown_rank, ACL_FORMAT_ND);
  EXPECT_EQ(aclGetTensorDescNumDims(rank), static_cast<size_t>(ACL_UNKNOWN_RANK));
  aclDestroyTensorDesc(rank);
}

TEST_F(ModelObjectsTest, BadTensorDescriptorArguments) {
  EXPECT_EQ(aclCreateTensorDesc(ACL_FLOAT, -1, nullptr, ACL_FORMAT_ND), nullptr);
  EXPECT_EQ(aclCreateTensorDesc(ACL_FLOAT, 2, nullptr, ACL_FORMAT_ND), nullptr);
  EXPECT_NE(TakeError().find("numDims -1 is negative"), std::string::npos);
  EXPECT_EQ(aclGetTensorDescType(nullptr), ACL_DT_UNDEFINED);
  EXPECT_EQ(aclGetTensorDescFormat(nullptr), ACL_FORMAT_UNDEFINED);
  EXPECT_EQ(aclGetTensorDescSize(nullptr), 0u);
  EXPECT_EQ(aclGetTensorDescElementCount(nullptr), 0u);
  EXPECT_EQ(aclGetTensorDescNumDims(nullptr), 0u);
  int64_t dim;
  EXPECT_EQ(aclGetTensorDescDimV2(nullptr, 0, &dim), acl::ACL_ERROR_INVALID_PARAM);
  aclDestroyTensorDesc(nullptr);  // a no-op, like delete
  TakeError();

  // Values outside the enums are kept bit for bit, as the runtime does.
  int raw_type = 77, raw_format = 1234;
  aclDataType type;
  aclFormat format;
  std::memcpy(&type, &raw_type, sizeof type);
  std::memcpy(&format, &raw_format, sizeof format);
  aclTensorDesc *odd = aclCreateTensorDesc(type, 0, nullptr, format);
  aclDataType got_type = aclGetTensorDescType(odd);
  aclFormat got_format = aclGetTensorDescFormat(odd);
  EXPECT_EQ(std::memcmp(&got_type, &raw_type, sizeof raw_type), 0);
  EXPECT_EQ(std::memcmp(&got_format, &raw_format, sizeof raw_format), 0);
  EXPECT_EQ(aclGetTensorDescSize(odd), 8u);  // the size table's default
  aclDestroyTensorDesc(odd);
}

TEST_F(ModelObjectsTest, DatasetsListBuffersInOrder) {
  aclmdlDataset *dataset = aclmdlCreateDataset();
  ASSERT_NE(dataset, nullptr);
  EXPECT_EQ(aclmdlGetDatasetNumBuffers(dataset), 0u);
  aclDataBuffer *first = aclCreateDataBuffer(nullptr, 0), *second = aclCreateDataBuffer(nullptr, 0);
  EXPECT_EQ(aclmdlAddDatasetBuffer(dataset, first), ACL_SUCCESS);
  EXPECT_EQ(aclmdlAddDatasetBuffer(dataset, second), ACL_SUCCESS);
  EXPECT_EQ(aclmdlGetDatasetNumBuffers(dataset), 2u);
  EXPECT_EQ(aclmdlGetDatasetBuffer(dataset, 0), first);
  EXPECT_EQ(aclmdlGetDatasetBuffer(dataset, 1), second);
  EXPECT_EQ(aclmdlGetDatasetBuffer(dataset, 2), nullptr);
  EXPECT_EQ(aclmdlAddDatasetBuffer(dataset, nullptr), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclmdlAddDatasetBuffer(nullptr, first), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclmdlGetDatasetNumBuffers(nullptr), 0u);
  EXPECT_EQ(aclmdlGetDatasetBuffer(nullptr, 0), nullptr);
  TakeError();

  // Destroying the dataset leaves its buffers alone.
  EXPECT_EQ(aclmdlDestroyDataset(dataset), ACL_SUCCESS);
  EXPECT_EQ(aclGetDataBufferSizeV2(first), 0u);
  EXPECT_EQ(TakeError(), "");
  EXPECT_EQ(aclDestroyDataBuffer(first), ACL_SUCCESS);
  EXPECT_EQ(aclDestroyDataBuffer(second), ACL_SUCCESS);
  EXPECT_EQ(aclmdlDestroyDataset(dataset), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclmdlDestroyDataset(nullptr), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();
}

TEST_F(ModelObjectsTest, DatasetTensorDescriptorsAreCopies) {
  Dataset dataset{{nullptr, 0}, {nullptr, 0}};
  const int64_t dims[] = {1, 3, 8, 8};
  aclTensorDesc *desc = aclCreateTensorDesc(ACL_FLOAT, 4, dims, ACL_FORMAT_NCHW);
  EXPECT_EQ(aclmdlGetDatasetTensorDesc(dataset.get(), 0), nullptr);  // none set

  EXPECT_EQ(aclmdlSetDatasetTensorDesc(dataset.get(), desc, 1), ACL_SUCCESS);
  aclDestroyTensorDesc(desc);  // the dataset holds its own copy
  aclTensorDesc *copy = aclmdlGetDatasetTensorDesc(dataset.get(), 1);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(DescDims(copy), (std::vector<int64_t>{1, 3, 8, 8}));
  EXPECT_EQ(aclGetTensorDescFormat(copy), ACL_FORMAT_NCHW);

  // The dataset owns its copies: destroying one is refused (and reported).
  aclDestroyTensorDesc(copy);
  EXPECT_NE(TakeError().find("belongs to a dataset"), std::string::npos);
  EXPECT_EQ(aclGetTensorDescNumDims(copy), 4u);

  // Setting again updates the same descriptor; NULL clears the slot.
  const int64_t other[] = {5};
  aclTensorDesc *second = aclCreateTensorDesc(ACL_INT32, 1, other, ACL_FORMAT_ND);
  EXPECT_EQ(aclmdlSetDatasetTensorDesc(dataset.get(), second, 1), ACL_SUCCESS);
  EXPECT_EQ(aclmdlGetDatasetTensorDesc(dataset.get(), 1), copy);
  EXPECT_EQ(DescDims(copy), (std::vector<int64_t>{5}));
  aclDestroyTensorDesc(second);
  EXPECT_EQ(aclmdlSetDatasetTensorDesc(dataset.get(), nullptr, 1), ACL_SUCCESS);
  EXPECT_EQ(aclmdlGetDatasetTensorDesc(dataset.get(), 1), nullptr);
  EXPECT_EQ(aclGetTensorDescNumDims(copy), 0u);  // that handle is gone
  TakeError();
}

TEST_F(ModelObjectsTest, DatasetTensorDescriptorIndexMustHaveABuffer) {
  Dataset dataset{{nullptr, 0}};
  aclTensorDesc *desc = aclCreateTensorDesc(ACL_FLOAT, 0, nullptr, ACL_FORMAT_ND);
  EXPECT_EQ(aclmdlSetDatasetTensorDesc(dataset.get(), desc, 1), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(TakeError().find("index 1 is out of range"), std::string::npos);
  EXPECT_EQ(aclmdlSetDatasetTensorDesc(nullptr, desc, 0), acl::ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclmdlGetDatasetTensorDesc(dataset.get(), 5), nullptr);
  EXPECT_EQ(aclmdlGetDatasetTensorDesc(nullptr, 0), nullptr);
  TakeError();
  aclDestroyTensorDesc(desc);
}

TEST_F(ModelObjectsTest, DestroyingADatasetReleasesItsDescriptors) {
  aclmdlDataset *dataset = aclmdlCreateDataset();
  aclDataBuffer *buffer = aclCreateDataBuffer(nullptr, 0);
  ASSERT_EQ(aclmdlAddDatasetBuffer(dataset, buffer), ACL_SUCCESS);
  aclTensorDesc *desc = aclCreateTensorDesc(ACL_FLOAT, 0, nullptr, ACL_FORMAT_ND);
  ASSERT_EQ(aclmdlSetDatasetTensorDesc(dataset, desc, 0), ACL_SUCCESS);
  aclTensorDesc *copy = aclmdlGetDatasetTensorDesc(dataset, 0);
  ASSERT_EQ(aclmdlDestroyDataset(dataset), ACL_SUCCESS);
  EXPECT_EQ(aclGetTensorDescType(copy), ACL_DT_UNDEFINED);
  EXPECT_NE(TakeError().find("is not a live aclTensorDesc"), std::string::npos);
  EXPECT_EQ(aclGetTensorDescType(desc), ACL_FLOAT);  // the caller's own is untouched
  aclDestroyTensorDesc(desc);
  EXPECT_EQ(aclDestroyDataBuffer(buffer), ACL_SUCCESS);
}

TEST_F(ModelObjectsTest, EveryHostObjectFunctionIsFaultable) {
  ASSERT_EQ(aclsimInjectFault("aclCreateDataBuffer", 1, acl::ACL_ERROR_INVALID_PARAM), ACL_SUCCESS);
  EXPECT_EQ(aclCreateDataBuffer(nullptr, 0), nullptr);
  EXPECT_EQ(TakeError(), "aclCreateDataBuffer: injected fault 100000 (ACL_ERROR_INVALID_PARAM)");
  ASSERT_EQ(aclsimInjectFault("aclDataTypeSize", 1, acl::ACL_ERROR_INVALID_PARAM), ACL_SUCCESS);
  EXPECT_EQ(aclDataTypeSize(ACL_FLOAT), 0u);
  EXPECT_EQ(aclDataTypeSize(ACL_FLOAT), 4u);
  ASSERT_EQ(aclsimInjectFault("aclmdlCreateDataset", 1, acl::ACL_ERROR_INVALID_PARAM), ACL_SUCCESS);
  EXPECT_EQ(aclmdlCreateDataset(), nullptr);
  TakeError();
}

}  // namespace
