# The model layer: aclmdl* and data buffers / tensor descriptors (paths relative to this file).
{
  "sources": [
    "api_buffers.cc",
    "api_datasets.cc",
    "api_guard.cc",
    "api_model.cc",
    "api_model_desc.cc",
    "data_types.cc",
    "device_budget.cc",
    "execute_task.cc",
    "execution.cc",
    "host_objects.cc",
    "io_conversion.cc",
    "model.cc",
    "model_loader.cc",
    "model_options.cc",
    "model_registry.cc",
    "signature.cc",
    "weight_scan.cc"
  ]
}
