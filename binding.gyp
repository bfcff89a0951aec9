# node-gyp build (used by `npm install`): the addon and the simulator library, side by side in
# build/Release, plus two small libraries the loader tests need. CMakeLists.txt builds the same
# targets for native tests and sanitizer builds.
{
  "target_defaults": {
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
    "cflags": ["-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter"],
    "cflags_cc": ["-std=c++20", "-fexceptions", "-frtti", "-fvisibility-inlines-hidden"],
    "include_dirs": ["native"],
    "ldflags": ["-pthread"],
    "configurations": {
      "Release": {
        "cflags": ["-O2"],
        "cflags_cc": ["-O2"]
      }
    }
  },
  "targets": [
    {
      "target_name": "ascendcl_sim",
      "type": "shared_library",
      "product_prefix": "lib",
      "product_dir": "<(PRODUCT_DIR)",
      "includes": [
        "native/sim/sim.gypi",
        "native/sim/onnx/onnx.gypi",
        "native/sim/executor/executor.gypi",
        "native/sim/executor/kernels.gypi",
        "native/sim/model/model.gypi"
      ],
      "libraries": ["-ldl", "-pthread"]
    },
    {
      "target_name": "ascendcl",
      "includes": ["native/addon/addon.gypi"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "libraries": ["-ldl", "-pthread"]
    },
    {
      "target_name": "acl_test_stub",
      "type": "shared_library",
      "product_prefix": "lib",
      "product_dir": "<(PRODUCT_DIR)/test",
      "sources": ["native/testing/stub_acl.cc"]
    },
    {
      "target_name": "acl_test_partial",
      "type": "shared_library",
      "product_prefix": "lib",
      "product_dir": "<(PRODUCT_DIR)/test",
      "sources": ["native/testing/partial_acl.cc"],
      "libraries": ["-ldl"]
    },
    {
      "target_name": "fork_test",
      "type": "shared_library",
      "product_prefix": "lib",
      "product_dir": "<(PRODUCT_DIR)/test",
      "sources": ["native/testing/fork_addon.c"]
    },
    {
      "target_name": "bench_baseline",
      "product_dir": "<(PRODUCT_DIR)/bench",
      "sources": ["bench/baseline/empty.c"]
    }
  ]
}
