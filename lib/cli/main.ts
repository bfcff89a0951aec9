#!/usr/bin/env node
// The `ascendcl` command: a look at the devices (info), a model's inputs and outputs (inspect),
// and a benchmark of a model (run) — what nvidia-smi/trtexec give GPU users.
import { Command, InvalidArgumentError, Option } from 'commander';
import { info } from './info.js';
import { inspect } from './inspect.js';
import { run } from './run.js';

function positive(name: string, allowZero = false) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
      throw new InvalidArgumentError(`expected a ${allowZero ? 'non-negative' : 'positive'} integer for ${name}`);
    }
    return n;
  };
}

function gearList(value: string): number[] {
  const gears = value.split(',').map((part) => Number(part.trim()));
  if (gears.length === 0 || gears.some((g) => !Number.isInteger(g) || g < 1)) {
    throw new InvalidArgumentError('expected a comma-separated list of positive batch sizes, such as 1,4,8');
  }
  return gears;
}

const collect = (value: string, previous: string[]) => [...previous, value];
const backend = () =>
  new Option('--backend <backend>', "'auto' (an NPU when usable, else the simulator), 'npu' or 'sim'").choices(['auto', 'npu', 'sim']);
const device = () => new Option('--device <id>', 'device id').default(0).argParser(positive('--device', true));
const dynamicBatch = () =>
  new Option('--dynamic-batch <gears>', 'simulator: the dynamic-batch gears the model was compiled with (e.g. 1,4,8)').argParser(gearList);

const program = new Command('ascendcl')
  .description('Ascend NPU tools: devices, models and benchmarks (runs on the simulator without an NPU)')
  .showHelpAfterError();

program
  .command('info')
  .description('the runtime, its library search, versions, devices and problems (acl.diagnose())')
  .option('--json', 'print JSON')
  .addOption(new Option('--library-path <path>', 'probe this libascendcl.so'))
  .action((opts) => info(opts));

program
  .command('inspect')
  .description("a model's inputs and outputs: names, dims, data types, formats, byte sizes, dynamic gears")
  .argument('<model>', 'model file (.om; the simulator runs .onnx)')
  .option('--json', 'print JSON')
  .addOption(backend())
  .addOption(device())
  .addOption(dynamicBatch())
  .action((model, opts) => inspect(model, opts));

program
  .command('run')
  .description('benchmark a model: latency p50/p90/p99/max, throughput, output shapes')
  .argument('<model>', 'model file (.om; the simulator runs .onnx)')
  .option('--input <name=file.npy|random>', 'an input from an .npy file, or random data (repeatable; default random)', collect, [])
  .addOption(new Option('--iterations <n>', 'timed inferences').default(100).argParser(positive('--iterations')))
  .addOption(new Option('--warmup <n>', 'untimed inferences first').default(10).argParser(positive('--warmup', true)))
  .addOption(new Option('--concurrency <c>', 'inferences in flight (a stream and a model instance each)').default(1).argParser(positive('--concurrency')))
  .addOption(new Option('--batch <b>', 'batch size (a gear of a dynamic-batch model)').argParser(positive('--batch')))
  .option('--json', 'print JSON')
  .option('--trace <file>', 'write a Chrome trace (Perfetto, chrome://tracing) of the timed inferences')
  .option('--print', 'print the output values')
  .addOption(backend())
  .addOption(device())
  .addOption(dynamicBatch())
  .action((model, opts) => run(model, opts));

program.parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(`ascendcl: ${message}\n`);
  process.exitCode = 1;
});
