// Helpers for the model-layer tests: fixture paths, device buffers, datasets, and a fixture that
// initialises the simulator with a current device.
#ifndef ASCENDCL_SIM_TESTS_MODEL_TEST_UTIL_H_
#define ASCENDCL_SIM_TESTS_MODEL_TEST_UTIL_H_

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sim_test.h"

namespace simtest {

// The fixture models (tests/models, written by make_models.py), found beside this header.
inline std::string ModelPath(const std::string &file) {
  std::string here = __FILE__;
  return here.substr(0, here.rfind('/')) + "/models/" + file;
}

inline std::vector<uint8_t> ReadModel(const std::string &file) {
  std::ifstream in(ModelPath(file), std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Device memory holding a copy of `values` (or `bytes` zeroed bytes).
template <typename T>
void *ToDevice(const std::vector<T> &values) {
  void *p = nullptr;
  size_t bytes = values.size() * sizeof(T);
  EXPECT_EQ(aclrtMalloc(&p, bytes == 0 ? 1 : bytes, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS) << TakeError();
  if (bytes != 0) {
    EXPECT_EQ(aclrtMemcpy(p, bytes, values.data(), bytes, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS) << TakeError();
  }
  return p;
}

inline void *DeviceBytes(size_t bytes) {
  void *p = nullptr;
  EXPECT_EQ(aclrtMalloc(&p, bytes, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(aclrtMemset(p, bytes, 0, bytes), ACL_SUCCESS) << TakeError();
  return p;
}

template <typename T>
std::vector<T> FromDevice(const void *p, size_t count) {
  std::vector<T> values(count);
  if (count != 0) {
    EXPECT_EQ(aclrtMemcpy(values.data(), count * sizeof(T), p, count * sizeof(T), ACL_MEMCPY_DEVICE_TO_HOST),
              ACL_SUCCESS)
        << TakeError();
  }
  return values;
}

// A dataset of buffers over (pointer, size) pairs. Destroys the dataset and its buffers (never the
// memory) when it goes out of scope.
class Dataset {
 public:
  Dataset() : dataset_(aclmdlCreateDataset()) {}
  Dataset(std::initializer_list<std::pair<void *, size_t>> buffers) : Dataset() {
    for (const auto &[data, size] : buffers) Add(data, size);
  }
  ~Dataset() {
    aclmdlDestroyDataset(dataset_);
    for (aclDataBuffer *b : buffers_) aclDestroyDataBuffer(b);
  }
  Dataset(const Dataset &) = delete;
  Dataset &operator=(const Dataset &) = delete;

  aclDataBuffer *Add(void *data, size_t size) {
    aclDataBuffer *buffer = aclCreateDataBuffer(data, size);
    EXPECT_EQ(aclmdlAddDatasetBuffer(dataset_, buffer), ACL_SUCCESS) << TakeError();
    buffers_.push_back(buffer);
    return buffer;
  }
  aclmdlDataset *get() const { return dataset_; }
  aclDataBuffer *buffer(size_t i) const { return buffers_[i]; }
  void *data(size_t i) const { return aclGetDataBufferAddr(buffers_[i]); }

 private:
  aclmdlDataset *dataset_;
  std::vector<aclDataBuffer *> buffers_;
};

// A model description filled from a loaded model; destroyed with the object.
class Desc {
 public:
  explicit Desc(uint32_t model_id) : desc_(aclmdlCreateDesc()) {
    EXPECT_EQ(aclmdlGetDesc(desc_, model_id), ACL_SUCCESS) << TakeError();
  }
  Desc() : desc_(aclmdlCreateDesc()) {}
  ~Desc() { aclmdlDestroyDesc(desc_); }
  Desc(const Desc &) = delete;
  Desc &operator=(const Desc &) = delete;
  aclmdlDesc *get() const { return desc_; }

 private:
  aclmdlDesc *desc_;
};

inline std::vector<int64_t> Dims(const aclmdlIODims &dims) {
  return std::vector<int64_t>(dims.dims, dims.dims + dims.dimCount);
}

inline std::vector<int64_t> DescDims(const aclTensorDesc *desc) {
  std::vector<int64_t> dims(aclGetTensorDescNumDims(desc));
  for (size_t i = 0; i < dims.size(); ++i) EXPECT_EQ(aclGetTensorDescDimV2(desc, i, &dims[i]), ACL_SUCCESS);
  return dims;
}

// aclInit with one device set on the test thread.
class ModelTest : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    SetDevice(0);
  }
  void TearDown() override {
    aclsimSetModelOptions(nullptr);
    SimTest::TearDown();
  }

  // Loads a fixture (with `options` for aclsimSetModelOptions when given).
  static uint32_t Load(const std::string &file, const char *options = nullptr) {
    uint32_t id = 0;
    if (options != nullptr) {
      EXPECT_EQ(aclsimSetModelOptions(options), ACL_SUCCESS) << TakeError();
    }
    EXPECT_EQ(aclmdlLoadFromFile(ModelPath(file).c_str(), &id), ACL_SUCCESS) << TakeError();
    return id;
  }
};

}  // namespace simtest

#endif  // ASCENDCL_SIM_TESTS_MODEL_TEST_UTIL_H_
