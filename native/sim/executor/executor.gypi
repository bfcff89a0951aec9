# Executor core and the light operators (paths relative to this file). CMake globs the tree.
{
  "sources": [
    "dtype.cc",
    "op.cc",
    "status.cc",
    "tensor.cc"
  ]
}
