// gemm_bench: throughput of the executor's float32 GEMM and convolution kernels per instruction
// set, and the run time of whole models, for comparing with the CPU's peak and onnxruntime.
//
//   gemm_bench [--isa all|scalar|avx2|avx512] [--threads N] [--sizes 256,512,1024,2048]
//              [--reps SECONDS] [--model FILE.onnx] [--plain-malloc]
//
// Prints the CPU, its nominal clock (/proc/cpuinfo) and the clock implied by a measured FMA
// loop, then GFLOP/s for square SGEMMs and the ResNet-18 convolution shapes, single-threaded and
// on N threads (default: all online CPUs), with the fraction of the AVX-512 peak of 64 float32
// FLOP per cycle. --model times Executable::Run of a model with static input shapes instead.
// Single-threaded figures are CPU time of the measuring thread (robust on a shared machine);
// multi-threaded ones are wall time. Every run allocates its output tensors afresh; by default
// the bench keeps glibc from handing large blocks back to the kernel (mallopt), so that page
// faults on fresh memory do not drown the kernels' own time. --plain-malloc measures with the
// default allocator behaviour instead (what a process without tuning sees).
#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sim/executor/cpu.h"
#include "sim/executor/executable.h"
#include "sim/executor/kernels/gemm.h"
#include "sim/executor/op.h"
#include "sim/executor/thread_pool.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace {

using aclsim::exec::DType;
using aclsim::exec::Isa;
using aclsim::exec::Shape;
using aclsim::exec::Status;
using aclsim::exec::Tensor;
using aclsim::exec::ThreadPool;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// CPU time of the whole process: on a machine shared with other work, the single-threaded time a
// run really took even when the wall clock includes time spent waiting for a core.
double ProcessCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Best time of `fn` over repetitions filling about `budget` seconds (after one warm-up run). A
// single-threaded measurement counts the calling thread's CPU time, so that other processes on
// the machine do not inflate it; a multi-threaded one can only count wall time.
double BestTime(const std::function<void()> &fn, double budget, bool single_threaded = true) {
  fn();
  double best = 1e30;
  int runs = 0;
  const Clock::time_point start = Clock::now();
  while (runs < 3 || (Seconds(start) < budget && runs < 1000)) {
    const Clock::time_point wall0 = Clock::now();
    const double cpu0 = ThreadCpuSeconds();
    fn();
    const double t = single_threaded ? ThreadCpuSeconds() - cpu0 : Seconds(wall0);
    best = std::min(best, t);
    ++runs;
  }
  return best;
}

std::string CpuInfoField(const char *field) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "";
}

#if defined(__x86_64__)
// 16 independent FMA chains on zmm registers: the core's float32 FMA throughput.
__attribute__((target("avx512f,fma"), noinline)) float FmaLoop(long iterations) {
  __m512 acc[16];
  const __m512 b = _mm512_set1_ps(1.0000001f), c = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < 16; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i));
  for (long it = 0; it < iterations; ++it) {
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) acc[i] = _mm512_fmadd_ps(acc[i], b, c);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < 16; ++i) sum = _mm512_add_ps(sum, acc[i]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  float total = 0;
  for (float lane : lanes) total += lane;
  return total;
}

double MeasuredPeakGflops() {
  if (aclsim::exec::BestIsa() != Isa::kAvx512) return 0;
  const long iterations = 2000000;
  volatile float sink = 0;
  const double t = BestTime([&] { sink = sink + FmaLoop(iterations); }, 0.5);
  return static_cast<double>(iterations) * 16 * 32 / t / 1e9;
}
#else
double MeasuredPeakGflops() { return 0; }
#endif

std::vector<float> Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> v(n);
  for (float &x : v) x = dist(rng);
  return v;
}

double SgemmGflops(Isa isa, int64_t size, ThreadPool &pool, double budget) {
  const bool single = pool.size() == 1;
  const aclsim::exec::kernels::GemmArch &arch = aclsim::exec::kernels::GemmArchFor(isa);
  const std::vector<float> a = Random(size * size, 1), b = Random(size * size, 2);
  std::vector<float> c(size * size);
  const double t = BestTime(
      [&] {
        Status s = aclsim::exec::kernels::Sgemm(arch, false, false, size, size, size, 1.0f, a.data(), size, b.data(),
                                                size, 0.0f, c.data(), size, &pool);
        if (!s.ok()) std::fprintf(stderr, "%s\n", s.message().c_str());
      },
      budget, single);
  return 2.0 * size * size * size / t / 1e9;
}

struct ConvShape {
  const char *name;
  Shape x, w;
  int64_t stride, pad;
};

// One Conv node run through its registered kernel (constant weights, packed at Init).
double ConvGflops(Isa isa, const ConvShape &shape, ThreadPool &pool, double budget) {
  const Isa saved = aclsim::exec::SetActiveIsa(isa);
  aclsim::exec::NodeDef node;
  node.name = shape.name;
  node.op_type = "Conv";
  node.opset = 13;
  node.input_present = {true, true};
  node.num_outputs = 1;
  node.output_present = {true};
  aclsim::exec::Attribute strides, pads;
  strides.kind = pads.kind = aclsim::exec::Attribute::Kind::kInts;
  strides.ints = {shape.stride, shape.stride};
  pads.ints = {shape.pad, shape.pad, shape.pad, shape.pad};
  node.attributes.Set("strides", strides);
  node.attributes.Set("pads", pads);
  Tensor x(DType::kFloat32, shape.x), w(DType::kFloat32, shape.w);
  const std::vector<float> xv = Random(x.elements(), 3), wv = Random(w.elements(), 4);
  std::memcpy(x.raw(), xv.data(), xv.size() * sizeof(float));
  std::memcpy(w.raw(), wv.data(), wv.size() * sizeof(float));
  std::unique_ptr<aclsim::exec::Kernel> kernel = aclsim::exec::FindOp("Conv", 13)->make();
  Status status = kernel->Init(node, {nullptr, &w});
  std::vector<Tensor> outputs(1);
  const double t = BestTime(
      [&] {
        aclsim::exec::RunContext ctx(node, {&x, &w}, &outputs, pool);
        Status s = kernel->Run(ctx);
        if (!s.ok()) std::fprintf(stderr, "%s\n", s.message().c_str());
      },
      budget, pool.size() == 1);
  aclsim::exec::SetActiveIsa(saved);
  if (!status.ok()) return 0;
  const Shape &y = outputs[0].shape();
  const double flops = 2.0 * y[1] * y[2] * y[3] * shape.w[1] * shape.w[2] * shape.w[3];
  return flops / t / 1e9;
}

int TimeModel(const std::string &path, int threads, double budget) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return 1;
  }
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::unique_ptr<aclsim::exec::Executable> model;
  aclsim::exec::LoadOptions options;
  Status status =
      aclsim::exec::Executable::Load(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(), options, &model);
  if (!status.ok()) {
    std::fprintf(stderr, "load: %s\n", status.message().c_str());
    return 1;
  }
  std::vector<Tensor> inputs;
  for (const aclsim::exec::IoInfo &io : model->inputs()) {
    if (!aclsim::exec::IsKnown(io.dims) || io.dtype != DType::kFloat32) {
      std::fprintf(stderr, "input %s needs static dims and float32\n", io.name.c_str());
      return 1;
    }
    Tensor t(io.dtype, io.dims);
    const std::vector<float> values = Random(t.elements(), 5);
    std::memcpy(t.raw(), values.data(), values.size() * sizeof(float));
    inputs.push_back(t);
  }
  for (int n : {1, threads}) {
    ThreadPool pool(n);
    std::vector<double> times, cpu_times;
    std::vector<Tensor> outputs;
    for (int i = 0; i < 3; ++i) status = model->Run(inputs, &outputs, pool);
    const Clock::time_point start = Clock::now();
    while (times.size() < 10 || (Seconds(start) < budget && times.size() < 1000)) {
      const Clock::time_point t0 = Clock::now();
      const double cpu0 = ProcessCpuSeconds();
      status = model->Run(inputs, &outputs, pool);
      cpu_times.push_back((ProcessCpuSeconds() - cpu0) * 1e3);
      times.push_back(Seconds(t0) * 1e3);
      if (!status.ok()) {
        std::fprintf(stderr, "run: %s\n", status.message().c_str());
        return 1;
      }
    }
    std::sort(times.begin(), times.end());
    std::sort(cpu_times.begin(), cpu_times.end());
    std::printf("%s threads=%d isa=%s: wall min %.2f ms, median %.2f ms; cpu min %.2f ms, median %.2f ms (%zu runs)\n",
                path.c_str(), n, aclsim::exec::IsaName(aclsim::exec::ActiveIsa()), times[0], times[times.size() / 2],
                cpu_times[0], cpu_times[cpu_times.size() / 2], times.size());
  }
  return 0;
}

std::vector<int64_t> ParseSizes(const std::string &text) {
  std::vector<int64_t> sizes;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) sizes.push_back(std::atoll(item.c_str()));
  return sizes;
}

}  // namespace

int main(int argc, char **argv) {
  std::string isa_name = "all", model;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<int64_t> sizes = {256, 512, 1024, 2048};
  double budget = 1.0;
  bool plain_malloc = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--isa" && i + 1 < argc) {
      isa_name = argv[++i];
    } else if (arg == "--threads" && i + 1 < argc) {
      threads = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--sizes" && i + 1 < argc) {
      sizes = ParseSizes(argv[++i]);
    } else if (arg == "--reps" && i + 1 < argc) {
      budget = std::atof(argv[++i]);
    } else if (arg == "--model" && i + 1 < argc) {
      model = argv[++i];
    } else if (arg == "--plain-malloc") {
      plain_malloc = true;
    } else {
      std::fprintf(stderr,
                   "usage: gemm_bench [--isa all|scalar|avx2|avx512] [--threads N] [--sizes 256,512] [--reps SECONDS] "
                   "[--model FILE.onnx] [--plain-malloc]\n");
      return 2;
    }
  }
  if (!plain_malloc) {
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
  }
  if (!model.empty()) return TimeModel(model, threads, budget);

  const double mhz = std::atof(CpuInfoField("cpu MHz").c_str());
  const double peak = MeasuredPeakGflops();
  std::printf("cpu: %s, %d threads used, nominal %.0f MHz (/proc/cpuinfo)\n", CpuInfoField("model name").c_str(),
              threads, mhz);
  std::printf("64 FLOP/cycle x nominal clock = %.1f GFLOP/s per core\n", 64 * mhz / 1e3);
  if (peak > 0) {
    std::printf("measured AVX-512 FMA peak: %.1f GFLOP/s per core (= 64 FLOP/cycle at %.2f GHz)\n", peak, peak / 64);
  }
  const double reference = peak > 0 ? peak : 64 * mhz / 1e3;
  std::vector<Isa> isas;
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    if (static_cast<int>(isa) > static_cast<int>(aclsim::exec::BestIsa())) break;
    if (isa_name == "all" || isa_name == aclsim::exec::IsaName(isa)) isas.push_back(isa);
  }
  const ConvShape convs[] = {
      {"conv 3->64 7x7/2 @224", {1, 3, 224, 224}, {64, 3, 7, 7}, 2, 3},
      {"conv 64->64 3x3/1 @56", {1, 64, 56, 56}, {64, 64, 3, 3}, 1, 1},
  };
  for (Isa isa : isas) {
    for (int n : {1, threads}) {
      ThreadPool pool(n);
      for (int64_t size : sizes) {
        const double g = SgemmGflops(isa, size, pool, budget);
        std::printf("%-7s threads=%d sgemm %5lld^3: %7.1f GFLOP/s  (%.0f%% of 1-core peak)\n",
                    aclsim::exec::IsaName(isa), n, static_cast<long long>(size), g, 100 * g / reference);
      }
      for (const ConvShape &conv : convs) {
        const double g = ConvGflops(isa, conv, pool, budget);
        std::printf("%-7s threads=%d %-24s %7.1f GFLOP/s  (%.0f%% of 1-core peak)\n", aclsim::exec::IsaName(isa), n,
                    conv.name, g, 100 * g / reference);
      }
      if (threads == 1) break;
    }
  }
  return 0;
}
