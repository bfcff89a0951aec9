// aclmdlExecuteAsync: stream-ordered execution, what it refuses at enqueue time, the memory it
// holds while queued, failures reported by the next synchronize, one model on two streams
// (107037), unloading with queued work, finalize with queued work, faults.
#include "model_test_util.h"

using namespace simtest;

namespace {

class ModelAsyncTest : public ModelTest {};

class NonStrictAsyncTest : public ModelTest {
  OptionList Options() const override { return {{"strict", "0"}}; }
};

const std::vector<float> kA = {1, -2, 3, -4, 5, -6};
const std::vector<float> kB = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
const std::vector<float> kSum = {1.5f, -1.5f, 3.5f, -3.5f, 5.5f, -5.5f};
const std::vector<float> kRelu = {1.5f, 0, 3.5f, 0, 5.5f, 0};

// add_relu.onnx with device buffers for its inputs and outputs.
struct AddRelu {
  uint32_t id;
  void *a = ToDevice(kA), *b = ToDevice(kB), *sum = DeviceBytes(24), *relu = DeviceBytes(24);
  Dataset in{{a, 24}, {b, 24}};
  Dataset out{{sum, 24}, {relu, 24}};
  explicit AddRelu(uint32_t model) : id(model) {}
};

TEST_F(ModelAsyncTest, ExecutesInStreamOrder) {
  AddRelu m(Load("add_relu.onnx"));
  aclrtStream stream = nullptr;
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  ASSERT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), m.out.get(), stream), ACL_SUCCESS) << TakeError();
  // A copy queued after the execution sees its result.
  std::vector<float> host(6);
  void *pinned = nullptr;
  ASSERT_EQ(aclrtMallocHost(&pinned, 24), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemcpyAsync(pinned, 24, m.relu, 24, ACL_MEMCPY_DEVICE_TO_HOST, stream), ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeStream(stream), ACL_SUCCESS) << TakeError();
  std::memcpy(host.data(), pinned, 24);
  EXPECT_EQ(host, kRelu);
  EXPECT_EQ(FromDevice<float>(m.sum, 6), kSum);
  EXPECT_EQ(DescDims(aclmdlGetDatasetTensorDesc(m.out.get(), 0)), (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(aclrtFreeHost(pinned), ACL_SUCCESS);
  ASSERT_EQ(aclrtDestroyStream(stream), ACL_SUCCESS);
}

TEST_F(ModelAsyncTest, NullStreamIsTheDefaultStream) {
  AddRelu m(Load("add_relu.onnx"));
  ASSERT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), m.out.get(), nullptr), ACL_SUCCESS) << TakeError();
  ASSERT_EQ(aclrtSynchronizeStream(nullptr), ACL_SUCCESS);
  EXPECT_EQ(FromDevice<float>(m.relu, 6), kRelu);
}

TEST_F(ModelAsyncTest, WhatCannotBeQueued) {
  AddRelu m(Load("add_relu.onnx"));
  Dataset auto_out{{nullptr, 0}, {m.relu, 24}};
  EXPECT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), auto_out.get(), nullptr), acl::ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
  EXPECT_NE(TakeError().find("only aclmdlExecute does that"), std::string::npos);

  uint32_t reshape = Load("reshape_dynamic.onnx");
  void *data = ToDevice<float>({1, 2, 3, 4, 5, 6}), *shape = ToDevice<int64_t>({2, 3}), *y = DeviceBytes(24);
  Dataset in{{data, 24}, {shape, 16}}, out{{y, 24}};
  EXPECT_EQ(aclmdlExecuteAsync(reshape, in.get(), out.get(), nullptr), acl::ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
  std::string message = TakeError();
  EXPECT_NE(message.find("known only once the model has run"), std::string::npos) << message;

  // Enqueue-time checks are those of aclmdlExecute.
  Dataset short_out{{m.sum, 24}, {m.relu, 8}};
  EXPECT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), short_out.get(), nullptr),
            acl::ACL_ERROR_GE_EXEC_MODEL_DATA_SIZE_INVALID);
  Dataset one{{m.a, 24}};
  EXPECT_EQ(aclmdlExecuteAsync(m.id, one.get(), m.out.get(), nullptr), acl::ACL_ERROR_INVALID_PARAM);
  TakeError();
  EXPECT_EQ(StatField("pendingTasks"), 0);
}

TEST_F(ModelAsyncTest, StreamsOfAnotherDeviceAre107003) {
  ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
  ASSERT_EQ(aclsimSetOption("devices", "2"), ACL_SUCCESS);
  ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
  SetDevice(1);
  aclrtStream other = nullptr;
  ASSERT_EQ(aclrtCreateStream(&other), ACL_SUCCESS);
  SetDevice(0);
  AddRelu m(Load("add_relu.onnx"));
  EXPECT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), m.out.get(), other), acl::ACL_ERROR_RT_STREAM_CONTEXT);
  EXPECT_NE(TakeError().find("belongs to device 1"), std::string::npos);
}

TEST_F(ModelAsyncTest, QueuedExecutionsHoldTheirMemory) {
  AddRelu m(Load("add_relu.onnx"));
  aclrtStream stream = nullptr;
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  {
    StreamGate gate(stream);
    ASSERT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), m.out.get(), stream), ACL_SUCCESS) << TakeError();
    EXPECT_EQ(StatField("pendingTasks"), 2);
    EXPECT_EQ(aclrtFree(m.a), acl::ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_NE(TakeError().find("queued aclmdlExecuteAsync"), std::string::npos);
    EXPECT_EQ(aclrtFree(m.relu), acl::ACL_ERROR_RT_PARAM_INVALID);
    TakeError();
    gate.Release();
    ASSERT_EQ(aclrtSynchronizeStream(stream), ACL_SUCCESS) << TakeError();
  }
  EXPECT_EQ(FromDevice<float>(m.relu, 6), kRelu);
  EXPECT_EQ(aclrtFree(m.a), ACL_SUCCESS);
  ASSERT_EQ(aclrtDestroyStream(stream), ACL_SUCCESS);
}

TEST_F(ModelAsyncTest, ARunFailureIsTheStreamsAsynchronousError) {
  uint32_t id = Load("batch_symbolic.onnx", "dynamicBatch=1,2");
  void *x = ToDevice<float>({1, 2, 3, 4, 5, 6}), *batch = DeviceBytes(8), *y = DeviceBytes(24), *z = DeviceBytes(24);
  Dataset in{{x, 24}, {batch, 8}}, out{{y, 24}, {z, 24}};
  aclrtStream stream = nullptr;
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  // A copy queued (behind a gate) before the execution sets a batch that is not a gear: the
  // enqueue cannot read it yet (queued work writes it), so the run finds it.
  void *pinned = nullptr;
  ASSERT_EQ(aclrtMallocHost(&pinned, 8), ACL_SUCCESS);
  const uint64_t three = 3;
  std::memcpy(pinned, &three, 8);
  std::string message;
  {
    StreamGate gate(stream);
    ASSERT_EQ(aclrtMemcpyAsync(batch, 8, pinned, 8, ACL_MEMCPY_HOST_TO_DEVICE, stream), ACL_SUCCESS);
    ASSERT_EQ(aclmdlExecuteAsync(id, in.get(), out.get(), stream), ACL_SUCCESS) << TakeError();
    gate.Release();
    EXPECT_EQ(aclrtSynchronizeStream(stream), acl::ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID);
    message = TakeError();
  }
  EXPECT_NE(message.find("asynchronous error: aclmdlExecuteAsync of model " + std::to_string(id) + " failed: the batch 3"),
            std::string::npos)
      << message;
  EXPECT_EQ(StatField("lost", 0), 0) << "a bad input never loses the device";
  // The stream and the model go on.
  ASSERT_EQ(aclmdlSetDynamicBatchSize(id, in.get(), 1, 2), ACL_SUCCESS);
  ASSERT_EQ(aclmdlExecuteAsync(id, in.get(), out.get(), stream), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(aclrtSynchronizeStream(stream), ACL_SUCCESS) << TakeError();
  EXPECT_EQ(FromDevice<float>(z, 6), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  ASSERT_EQ(aclrtFreeHost(pinned), ACL_SUCCESS);
  ASSERT_EQ(aclrtDestroyStream(stream), ACL_SUCCESS);
}

TEST_F(ModelAsyncTest, OneModelCannotRunOnTwoStreamsAtOnce) {
  AddRelu m(Load("add_relu.onnx"));
  aclrtStream first = nullptr, second = nullptr;
  ASSERT_EQ(aclrtCreateStream(&first), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateStream(&second), ACL_SUCCESS);
  {
    StreamGate gate(first);
    ASSERT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), m.out.get(), first), ACL_SUCCESS) << TakeError();
    EXPECT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), m.out.get(), second), acl::ACL_ERROR_RT_MODEL_RUNNING);
    std::string message = TakeError();
    EXPECT_NE(message.find("one model cannot run on two streams at once"), std::string::npos) << message;
    // More executions on the same stream are fine.
    EXPECT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), m.out.get(), first), ACL_SUCCESS) << TakeError();
    // A synchronous execution meanwhile is not a stream execution (into other outputs: the queued
    // executions still write these).
    void *sum2 = DeviceBytes(24), *relu2 = DeviceBytes(24);
    Dataset other_out{{sum2, 24}, {relu2, 24}};
    EXPECT_EQ(aclmdlExecute(m.id, m.in.get(), other_out.get()), ACL_SUCCESS) << TakeError();
    gate.Release();
    ASSERT_EQ(aclrtSynchronizeStream(first), ACL_SUCCESS);
  }
  // Once the first stream is done, the second may run the model.
  EXPECT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), m.out.get(), second), ACL_SUCCESS) << TakeError();
  ASSERT_EQ(aclrtSynchronizeStream(second), ACL_SUCCESS);
  // Another model on another stream at the same time is fine.
  AddRelu other(Load("add_relu.onnx"));
  {
    StreamGate gate(first);
    ASSERT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), m.out.get(), first), ACL_SUCCESS);
    EXPECT_EQ(aclmdlExecuteAsync(other.id, other.in.get(), other.out.get(), second), ACL_SUCCESS) << TakeError();
    gate.Release();
    ASSERT_EQ(aclrtSynchronizeDevice(), ACL_SUCCESS);
  }
  ASSERT_EQ(aclrtDestroyStream(first), ACL_SUCCESS);
  ASSERT_EQ(aclrtDestroyStream(second), ACL_SUCCESS);
}

TEST_F(ModelAsyncTest, ExecutionsOrderedByAnEventMayUseTwoStreams) {
  AddRelu m(Load("add_relu.onnx"));
  aclrtStream first = nullptr, second = nullptr;
  aclrtEvent done = nullptr;
  ASSERT_EQ(aclrtCreateStream(&first), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateStream(&second), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateEvent(&done), ACL_SUCCESS);
  void *sum2 = DeviceBytes(24), *relu2 = DeviceBytes(24);
  Dataset out2{{sum2, 24}, {relu2, 24}};
  {
    StreamGate gate(first);
    ASSERT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), m.out.get(), first), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(done, first), ACL_SUCCESS);
    ASSERT_EQ(aclrtStreamWaitEvent(second, done), ACL_SUCCESS);
    EXPECT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), out2.get(), second), ACL_SUCCESS) << TakeError();
    gate.Release();
    ASSERT_EQ(aclrtSynchronizeStream(second), ACL_SUCCESS) << TakeError();
    ASSERT_EQ(aclrtSynchronizeStream(first), ACL_SUCCESS) << TakeError();
  }
  EXPECT_EQ(FromDevice<float>(m.relu, 6), kRelu);
  EXPECT_EQ(FromDevice<float>(relu2, 6), kRelu);
  ASSERT_EQ(aclrtDestroyEvent(done), ACL_SUCCESS);
  ASSERT_EQ(aclrtDestroyStream(first), ACL_SUCCESS);
  ASSERT_EQ(aclrtDestroyStream(second), ACL_SUCCESS);
}

void OpenFlag(void *flag) { static_cast<std::atomic<bool> *>(flag)->store(true); }

TEST_F(ModelAsyncTest, AnOverlapOnABusyStreamFailsWhenItStarts) {
  AddRelu m(Load("add_relu.onnx"));
  aclrtStream first = nullptr, second = nullptr;
  aclrtEvent early = nullptr;
  ASSERT_EQ(aclrtCreateStream(&first), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateStream(&second), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateEvent(&early), ACL_SUCCESS);
  void *sum2 = DeviceBytes(24), *relu2 = DeviceBytes(24);
  Dataset out2{{sum2, 24}, {relu2, 24}};
  {
    // first: [gate][record early][second gate][execution]; second: [wait early][execution]. The
    // event orders nothing useful: the second execution starts while the first is still queued.
    StreamGate gate(first);
    ASSERT_EQ(aclrtRecordEvent(early, first), ACL_SUCCESS);
    std::atomic<bool> opened{false};
    ASSERT_EQ(aclrtLaunchCallback(&OpenFlag, &opened, ACL_CALLBACK_BLOCK, first), ACL_SUCCESS);
    ASSERT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), m.out.get(), first), ACL_SUCCESS);
    ASSERT_EQ(aclrtStreamWaitEvent(second, early), ACL_SUCCESS);
    EXPECT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), out2.get(), second), ACL_SUCCESS) << "busy: checked at start";
    gate.Release();
    EXPECT_EQ(aclrtSynchronizeStream(second), acl::ACL_ERROR_RT_MODEL_RUNNING);
    std::string message = TakeError();
    EXPECT_NE(message.find("did not run: it started while an execution of the model enqueued earlier on stream"),
              std::string::npos)
        << message;
    EXPECT_EQ(FromDevice<float>(relu2, 6), std::vector<float>(6, 0.0f)) << "it did not run";
    ASSERT_EQ(aclrtProcessReport(5000), ACL_SUCCESS);  // the second gate
    ASSERT_EQ(aclrtSynchronizeStream(first), ACL_SUCCESS) << TakeError();
    EXPECT_TRUE(opened.load());
  }
  EXPECT_EQ(FromDevice<float>(m.relu, 6), kRelu);
  EXPECT_EQ(StatField("lost", 0), 0);
  ASSERT_EQ(aclrtDestroyEvent(early), ACL_SUCCESS);
  ASSERT_EQ(aclrtDestroyStream(first), ACL_SUCCESS);
  ASSERT_EQ(aclrtDestroyStream(second), ACL_SUCCESS);
}

TEST_F(ModelAsyncTest, UnloadWithQueuedExecutionsIsRefused) {
  AddRelu m(Load("add_relu.onnx"));
  aclrtStream stream = nullptr;
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  {
    StreamGate gate(stream);
    ASSERT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), m.out.get(), stream), ACL_SUCCESS);
    EXPECT_EQ(aclmdlUnload(m.id), acl::ACL_ERROR_RT_MODEL_RUNNING);
    std::string message = TakeError();
    EXPECT_NE(message.find("still has 1 execution(s) queued on stream"), std::string::npos) << message;
    EXPECT_NE(std::string(aclsimLeakReport()).find("1 execution(s) queued"), std::string::npos);
    gate.Release();
    ASSERT_EQ(aclrtSynchronizeStream(stream), ACL_SUCCESS);
  }
  EXPECT_EQ(aclmdlUnload(m.id), ACL_SUCCESS);
  ASSERT_EQ(aclrtDestroyStream(stream), ACL_SUCCESS);
}

TEST_F(NonStrictAsyncTest, UnloadWithQueuedExecutionsLetsThemFinish) {
  AddRelu m(Load("add_relu.onnx"));
  aclrtStream stream = nullptr;
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  {
    StreamGate gate(stream);
    ASSERT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), m.out.get(), stream), ACL_SUCCESS);
    EXPECT_EQ(aclmdlUnload(m.id), ACL_SUCCESS) << TakeError();
    EXPECT_EQ(StatField("models"), 0);
    gate.Release();
    ASSERT_EQ(aclrtSynchronizeStream(stream), ACL_SUCCESS) << TakeError();
  }
  EXPECT_EQ(FromDevice<float>(m.relu, 6), kRelu);
  ASSERT_EQ(aclrtDestroyStream(stream), ACL_SUCCESS);
}

TEST_F(ModelAsyncTest, DatasetsMayBeDestroyedWhileAnExecutionIsQueued) {
  uint32_t id = Load("add_relu.onnx");
  void *a = ToDevice(kA), *b = ToDevice(kB), *sum = DeviceBytes(24), *relu = DeviceBytes(24);
  aclrtStream stream = nullptr;
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  {
    StreamGate gate(stream);
    {
      Dataset in{{a, 24}, {b, 24}}, out{{sum, 24}, {relu, 24}};
      ASSERT_EQ(aclmdlExecuteAsync(id, in.get(), out.get(), stream), ACL_SUCCESS);
    }  // datasets and buffers destroyed here; the memory stays
    gate.Release();
    ASSERT_EQ(aclrtSynchronizeStream(stream), ACL_SUCCESS) << TakeError();
  }
  EXPECT_EQ(FromDevice<float>(relu, 6), kRelu);
  ASSERT_EQ(aclrtDestroyStream(stream), ACL_SUCCESS);
}

TEST_F(ModelAsyncTest, FinalizeDropsQueuedExecutionsAndReleasesModels) {
  AddRelu m(Load("add_relu.onnx"));
  aclrtStream stream = nullptr;
  ASSERT_EQ(aclrtCreateStream(&stream), ACL_SUCCESS);
  StreamGate gate(stream);
  ASSERT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), m.out.get(), stream), ACL_SUCCESS);
  ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
  std::string report = aclsimLeakReport();
  EXPECT_NE(report.find("model " + std::to_string(m.id)), std::string::npos) << report;
  EXPECT_EQ(StatField("models"), 0);
}

TEST_F(ModelAsyncTest, ExecuteAsyncIsFaultable) {
  AddRelu m(Load("add_relu.onnx"));
  ASSERT_EQ(aclsimInjectFault("aclmdlExecuteAsync", 1, acl::ACL_ERROR_RT_MODEL_EXECUTE), ACL_SUCCESS);
  EXPECT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), m.out.get(), nullptr), acl::ACL_ERROR_RT_MODEL_EXECUTE);
  EXPECT_EQ(TakeError(), "aclmdlExecuteAsync: injected fault 507011 (ACL_ERROR_RT_MODEL_EXECUTE)");
  EXPECT_EQ(StatField("lost", 0), 1);
  EXPECT_EQ(aclmdlExecuteAsync(m.id, m.in.get(), m.out.get(), nullptr), acl::ACL_ERROR_RT_MODEL_EXECUTE);
  TakeError();
}

}  // namespace
