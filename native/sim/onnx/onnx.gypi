# The ONNX reader (paths relative to this file): protobuf wire format by hand, no protobuf
# dependency. CMake globs the tree; node-gyp reads this list, so keep it complete.
{
  "sources": [
    "external_data.cc",
    "model_reader.cc",
    "tensor_reader.cc",
    "wire_reader.cc"
  ]
}
