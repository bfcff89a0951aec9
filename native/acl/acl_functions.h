// The one list of AscendCL functions this project uses.
//
// F(return type, name, (parameters), (argument names))
//
// From this list we generate: the function-pointer table the addon fills with dlsym
// (acl_table.h), the declarations of what the simulator exports, the forwarding and stub test
// libraries, and the "which symbols are missing" report. Signatures are the C prototypes of
// ascendcl-reference.md §4.
//
// Required functions exist in every CANN release we support; if one is missing the library is
// rejected at load. Optional ones are newer (absent from older CANN); each is resolved on its
// own and a missing one only makes the feature that needs it report "not available in this
// runtime" (or use the documented fallback).
#ifndef ASCENDCL_ACL_FUNCTIONS_H_
#define ASCENDCL_ACL_FUNCTIONS_H_

#include "acl_abi.h"

#define ACL_REQUIRED_FUNCTIONS(F)                                                                          \
  F(aclError, aclInit, (const char *configPath), (configPath))                                            \
  F(aclError, aclFinalize, (void), ())                                                                    \
  F(const char *, aclGetRecentErrMsg, (void), ())                                                         \
  F(aclError, aclrtGetVersion, (int32_t * majorVersion, int32_t * minorVersion, int32_t * patchVersion),  \
    (majorVersion, minorVersion, patchVersion))                                                           \
  F(aclError, aclrtSetDevice, (int32_t deviceId), (deviceId))                                             \
  F(aclError, aclrtResetDevice, (int32_t deviceId), (deviceId))                                           \
  F(aclError, aclrtGetDevice, (int32_t * deviceId), (deviceId))                                           \
  F(aclError, aclrtGetDeviceCount, (uint32_t * count), (count))                                           \
  F(aclError, aclrtGetRunMode, (aclrtRunMode * runMode), (runMode))                                       \
  F(aclError, aclrtSynchronizeDevice, (void), ())                                                         \
  F(aclError, aclrtGetMemInfo, (aclrtMemAttr attr, size_t * free, size_t * total), (attr, free, total))   \
  F(aclError, aclrtCreateContext, (aclrtContext * context, int32_t deviceId), (context, deviceId))        \
  F(aclError, aclrtDestroyContext, (aclrtContext context), (context))                                     \
  F(aclError, aclrtSetCurrentContext, (aclrtContext context), (context))                                  \
  F(aclError, aclrtGetCurrentContext, (aclrtContext * context), (context))                                \
  F(aclError, aclrtCreateStream, (aclrtStream * stream), (stream))                                        \
  F(aclError, aclrtDestroyStream, (aclrtStream stream), (stream))                                         \
  F(aclError, aclrtSynchronizeStream, (aclrtStream stream), (stream))                                     \
  F(aclError, aclrtStreamQuery, (aclrtStream stream, aclrtStreamStatus * status), (stream, status))       \
  F(aclError, aclrtStreamWaitEvent, (aclrtStream stream, aclrtEvent event), (stream, event))              \
  F(aclError, aclrtCreateEvent, (aclrtEvent * event), (event))                                            \
  F(aclError, aclrtCreateEventWithFlag, (aclrtEvent * event, uint32_t flag), (event, flag))               \
  F(aclError, aclrtDestroyEvent, (aclrtEvent event), (event))                                             \
  F(aclError, aclrtRecordEvent, (aclrtEvent event, aclrtStream stream), (event, stream))                  \
  F(aclError, aclrtQueryEventStatus, (aclrtEvent event, aclrtEventRecordedStatus * status),               \
    (event, status))                                                                                      \
  F(aclError, aclrtSynchronizeEvent, (aclrtEvent event), (event))                                         \
  F(aclError, aclrtEventElapsedTime, (float *ms, aclrtEvent startEvent, aclrtEvent endEvent),             \
    (ms, startEvent, endEvent))                                                                           \
  F(aclError, aclrtMalloc, (void **devPtr, size_t size, aclrtMemMallocPolicy policy),                     \
    (devPtr, size, policy))                                                                               \
  F(aclError, aclrtFree, (void *devPtr), (devPtr))                                                        \
  F(aclError, aclrtMallocHost, (void **hostPtr, size_t size), (hostPtr, size))                            \
  F(aclError, aclrtFreeHost, (void *hostPtr), (hostPtr))                                                  \
  F(aclError, aclrtMemcpy, (void *dst, size_t destMax, const void *src, size_t count, aclrtMemcpyKind kind), \
    (dst, destMax, src, count, kind))                                                                     \
  F(aclError, aclrtMemcpyAsync,                                                                           \
    (void *dst, size_t destMax, const void *src, size_t count, aclrtMemcpyKind kind, aclrtStream stream), \
    (dst, destMax, src, count, kind, stream))                                                             \
  F(aclError, aclrtMemset, (void *devPtr, size_t maxCount, int32_t value, size_t count),                  \
    (devPtr, maxCount, value, count))                                                                     \
  F(aclError, aclrtMemsetAsync, (void *devPtr, size_t maxCount, int32_t value, size_t count, aclrtStream stream), \
    (devPtr, maxCount, value, count, stream))                                                             \
  F(aclError, aclrtSubscribeReport, (uint64_t threadId, aclrtStream stream), (threadId, stream))          \
  F(aclError, aclrtLaunchCallback,                                                                        \
    (aclrtCallback fn, void *userData, aclrtCallbackBlockType blockType, aclrtStream stream),             \
    (fn, userData, blockType, stream))                                                                    \
  F(aclError, aclrtProcessReport, (int32_t timeout), (timeout))                                           \
  F(aclError, aclrtUnSubscribeReport, (uint64_t threadId, aclrtStream stream), (threadId, stream))

#define ACL_OPTIONAL_FUNCTIONS(F)                                                                          \
  F(aclError, aclFinalizeReference, (uint64_t * refCount), (refCount))                                    \
  F(const char *, aclrtGetSocName, (void), ())                                                            \
  F(aclError, aclrtResetDeviceForce, (int32_t deviceId), (deviceId))                                      \
  F(aclError, aclrtSynchronizeDeviceWithTimeout, (int32_t timeout), (timeout))                            \
  F(aclError, aclrtDestroyStreamForce, (aclrtStream stream), (stream))                                    \
  F(aclError, aclrtSynchronizeStreamWithTimeout, (aclrtStream stream, int32_t timeout), (stream, timeout)) \
  F(aclError, aclrtStreamWaitEventWithTimeout, (aclrtStream stream, aclrtEvent event, int32_t timeout),   \
    (stream, event, timeout))                                                                             \
  F(aclError, aclrtSynchronizeEventWithTimeout, (aclrtEvent event, int32_t timeout), (event, timeout))    \
  F(aclError, aclsysGetVersionStr, (char *pkgName, char *versionStr), (pkgName, versionStr))              \
  F(aclError, aclsysGetCANNVersion, (aclCANNPackageName name, aclCANNPackageVersion * version),           \
    (name, version))

// Extensions only the simulator exports (never present in libascendcl.so). The addon resolves
// them only for the 'sim' backend. Options are strings so the ABI never changes when an option is
// added; set them before aclInit.
//   aclsimSetOption   name: devices | memoryBytes | socName | threads | maxStreams | maxEvents |
//                     strict | faults. Returns ACL_ERROR_REPEAT_INITIALIZE after aclInit,
//                     ACL_ERROR_INVALID_PARAM for an unknown name or a bad value.
//   aclsimGetOption   the effective value (option, else ASCENDCL_SIM_* env, else default).
//   aclsimInjectFault the nth call (1-based, counted from now) of `api` fails with `code`;
//                     nth == 0 means every call.
//   aclsimStatsJson / aclsimLeakReport: the returned string stays valid until the calling
//                     thread's next call of the same function.
//   aclsimTraceStart  start recording every stream operation that runs (at most maxRecords).
//   aclsimTraceStop   stop, and return the records as JSON (sim/trace_recorder.h); valid until
//                     the calling thread's next call.
#define ACLSIM_FUNCTIONS(F)                                                                                \
  F(aclError, aclsimSetOption, (const char *name, const char *value), (name, value))                      \
  F(aclError, aclsimGetOption, (const char *name, char *value, size_t valueLen), (name, value, valueLen))  \
  F(aclError, aclsimInjectFault, (const char *api, uint64_t nth, aclError code), (api, nth, code))        \
  F(aclError, aclsimClearFaults, (void), ())                                                              \
  F(const char *, aclsimStatsJson, (void), ())                                                            \
  F(const char *, aclsimLeakReport, (void), ())                                                           \
  F(aclError, aclsimTraceStart, (size_t maxRecords), (maxRecords))                                        \
  F(const char *, aclsimTraceStop, (void), ())                                                            \
  F(aclError, aclsimHostFuncScope, (aclrtStream stream, int32_t enter), (stream, enter))

// The model layer (ascendcl-reference.md §4.8, §4.9): data buffers, tensor descriptors, model
// descriptions, datasets, load/execute and dynamic batch. Required when a runtime is loaded.
#define ACL_MODEL_FUNCTIONS(F)                                                                             \
  F(aclDataBuffer *, aclCreateDataBuffer, (void *data, size_t size), (data, size))                        \
  F(aclError, aclDestroyDataBuffer, (const aclDataBuffer *dataBuffer), (dataBuffer))                      \
  F(aclError, aclUpdateDataBuffer, (aclDataBuffer * dataBuffer, void *data, size_t size),                 \
    (dataBuffer, data, size))                                                                             \
  F(void *, aclGetDataBufferAddr, (const aclDataBuffer *dataBuffer), (dataBuffer))                        \
  F(size_t, aclGetDataBufferSizeV2, (const aclDataBuffer *dataBuffer), (dataBuffer))                      \
  F(size_t, aclDataTypeSize, (aclDataType dataType), (dataType))                                          \
  F(float, aclFloat16ToFloat, (aclFloat16 value), (value))                                                \
  F(aclFloat16, aclFloatToFloat16, (float value), (value))                                                \
  F(aclTensorDesc *, aclCreateTensorDesc, (aclDataType dataType, int numDims, const int64_t *dims,        \
    aclFormat format), (dataType, numDims, dims, format))                                                 \
  F(void, aclDestroyTensorDesc, (const aclTensorDesc *desc), (desc))                                      \
  F(aclDataType, aclGetTensorDescType, (const aclTensorDesc *desc), (desc))                               \
  F(aclFormat, aclGetTensorDescFormat, (const aclTensorDesc *desc), (desc))                               \
  F(size_t, aclGetTensorDescSize, (const aclTensorDesc *desc), (desc))                                    \
  F(size_t, aclGetTensorDescElementCount, (const aclTensorDesc *desc), (desc))                            \
  F(size_t, aclGetTensorDescNumDims, (const aclTensorDesc *desc), (desc))                                 \
  F(aclError, aclGetTensorDescDimV2, (const aclTensorDesc *desc, size_t index, int64_t *dimSize),         \
    (desc, index, dimSize))                                                                               \
  F(aclmdlDesc *, aclmdlCreateDesc, (void), ())                                                           \
  F(aclError, aclmdlDestroyDesc, (aclmdlDesc * modelDesc), (modelDesc))                                   \
  F(aclError, aclmdlGetDesc, (aclmdlDesc * modelDesc, uint32_t modelId), (modelDesc, modelId))            \
  F(aclError, aclmdlGetDescFromFile, (aclmdlDesc * modelDesc, const char *modelPath), (modelDesc, modelPath)) \
  F(aclError, aclmdlGetDescFromMem, (aclmdlDesc * modelDesc, const void *model, size_t modelSize),        \
    (modelDesc, model, modelSize))                                                                        \
  F(size_t, aclmdlGetNumInputs, (aclmdlDesc * modelDesc), (modelDesc))                                    \
  F(size_t, aclmdlGetNumOutputs, (aclmdlDesc * modelDesc), (modelDesc))                                   \
  F(size_t, aclmdlGetInputSizeByIndex, (aclmdlDesc * modelDesc, size_t index), (modelDesc, index))        \
  F(size_t, aclmdlGetOutputSizeByIndex, (aclmdlDesc * modelDesc, size_t index), (modelDesc, index))       \
  F(aclError, aclmdlGetInputDims, (const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims),        \
    (modelDesc, index, dims))                                                                             \
  F(aclError, aclmdlGetInputDimsV2, (const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims),      \
    (modelDesc, index, dims))                                                                             \
  F(aclError, aclmdlGetOutputDims, (const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims),       \
    (modelDesc, index, dims))                                                                             \
  F(aclError, aclmdlGetCurOutputDims, (const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims),    \
    (modelDesc, index, dims))                                                                             \
  F(const char *, aclmdlGetInputNameByIndex, (const aclmdlDesc *modelDesc, size_t index), (modelDesc, index)) \
  F(const char *, aclmdlGetOutputNameByIndex, (const aclmdlDesc *modelDesc, size_t index), (modelDesc, index)) \
  F(aclFormat, aclmdlGetInputFormat, (const aclmdlDesc *modelDesc, size_t index), (modelDesc, index))     \
  F(aclFormat, aclmdlGetOutputFormat, (const aclmdlDesc *modelDesc, size_t index), (modelDesc, index))    \
  F(aclDataType, aclmdlGetInputDataType, (const aclmdlDesc *modelDesc, size_t index), (modelDesc, index)) \
  F(aclDataType, aclmdlGetOutputDataType, (const aclmdlDesc *modelDesc, size_t index), (modelDesc, index)) \
  F(aclError, aclmdlGetInputIndexByName, (const aclmdlDesc *modelDesc, const char *name, size_t *index),  \
    (modelDesc, name, index))                                                                             \
  F(aclError, aclmdlGetOutputIndexByName, (const aclmdlDesc *modelDesc, const char *name, size_t *index), \
    (modelDesc, name, index))                                                                             \
  F(aclError, aclmdlGetDynamicBatch, (const aclmdlDesc *modelDesc, aclmdlBatch *batch), (modelDesc, batch)) \
  F(aclmdlDataset *, aclmdlCreateDataset, (void), ())                                                     \
  F(aclError, aclmdlDestroyDataset, (const aclmdlDataset *dataset), (dataset))                            \
  F(aclError, aclmdlAddDatasetBuffer, (aclmdlDataset * dataset, aclDataBuffer *dataBuffer), (dataset, dataBuffer)) \
  F(size_t, aclmdlGetDatasetNumBuffers, (const aclmdlDataset *dataset), (dataset))                        \
  F(aclDataBuffer *, aclmdlGetDatasetBuffer, (const aclmdlDataset *dataset, size_t index), (dataset, index)) \
  F(aclError, aclmdlSetDatasetTensorDesc, (aclmdlDataset * dataset, aclTensorDesc *tensorDesc, size_t index), \
    (dataset, tensorDesc, index))                                                                         \
  F(aclTensorDesc *, aclmdlGetDatasetTensorDesc, (const aclmdlDataset *dataset, size_t index), (dataset, index)) \
  F(aclError, aclmdlLoadFromFile, (const char *modelPath, uint32_t *modelId), (modelPath, modelId))       \
  F(aclError, aclmdlLoadFromMem, (const void *model, size_t modelSize, uint32_t *modelId),                \
    (model, modelSize, modelId))                                                                          \
  F(aclError, aclmdlLoadFromFileWithMem, (const char *modelPath, uint32_t *modelId, void *workPtr,        \
    size_t workSize, void *weightPtr, size_t weightSize), (modelPath, modelId, workPtr, workSize, weightPtr, weightSize)) \
  F(aclError, aclmdlLoadFromMemWithMem, (const void *model, size_t modelSize, uint32_t *modelId,          \
    void *workPtr, size_t workSize, void *weightPtr, size_t weightSize),                                 \
    (model, modelSize, modelId, workPtr, workSize, weightPtr, weightSize))                                \
  F(aclError, aclmdlQuerySize, (const char *fileName, size_t *workSize, size_t *weightSize),              \
    (fileName, workSize, weightSize))                                                                     \
  F(aclError, aclmdlQuerySizeFromMem, (const void *model, size_t modelSize, size_t *workSize,             \
    size_t *weightSize), (model, modelSize, workSize, weightSize))                                        \
  F(aclError, aclmdlUnload, (uint32_t modelId), (modelId))                                                \
  F(aclError, aclmdlExecute, (uint32_t modelId, const aclmdlDataset *input, aclmdlDataset *output),       \
    (modelId, input, output))                                                                             \
  F(aclError, aclmdlExecuteAsync, (uint32_t modelId, const aclmdlDataset *input, aclmdlDataset *output,   \
    aclrtStream stream), (modelId, input, output, stream))                                                \
  F(aclError, aclmdlSetDynamicBatchSize, (uint32_t modelId, aclmdlDataset *dataset, size_t index,         \
    uint64_t batchSize), (modelId, dataset, index, batchSize))

// The simulator's model extension. aclsimSetModelOptions: how the next model loaded on the
// calling thread presents itself, as ATC would have compiled it (api.md ModelOptions):
//   "dynamicBatch=1,2,4,8;inputTypes=x:float16,y:uint8;outputTypes=prob:float16"
// Applies to the next aclmdlLoad* / aclmdlQuerySize* / aclmdlGetDescFrom* call on this thread,
// then is cleared; NULL or "" clears it now.
#define ACLSIM_MODEL_FUNCTIONS(F) F(aclError, aclsimSetModelOptions, (const char *options), (options))

#endif  // ASCENDCL_ACL_FUNCTIONS_H_
