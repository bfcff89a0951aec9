# Thread pool, CPU feature dispatch, and the compute-heavy kernels (paths relative to this file).
{
  "sources": [
    "cpu.cc",
    "thread_pool.cc"
  ]
}
