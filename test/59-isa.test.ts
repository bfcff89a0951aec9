// Every kernel path the machine supports stays correct: the fixture models run in a child process
// per ASCENDCL_SIM_ISA value (scalar always; avx2 and avx512 where the CPU has them) and must
// match onnxruntime-node within the usual tolerance.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isaCases } from './isa-cases.js';
import { compare, reference } from './reference.js';
import { root, runScript } from './helpers.js';

function supported(): string[] {
  const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').split(/\s+/));
  const isas = ['scalar'];
  if (flags.has('avx2') && flags.has('fma')) isas.push('avx2');
  if (['avx512f', 'avx512bw', 'avx512dq', 'avx512vl'].every((f) => flags.has(f))) isas.push('avx512');
  return isas;
}

for (const isa of supported()) {
  t.test(`ASCENDCL_SIM_ISA=${isa}: models match onnxruntime`, async (t) => {
    const child = await runScript(join(root, 'test/fixtures/isa-run.ts'), [], {
      nodeArgs: ['--import', 'tsx'],
      env: { ASCENDCL_SIM_ISA: isa },
      timeoutMs: 120000,
    });
    t.equal(child.code, 0, child.stderr);
    const ours = JSON.parse(child.stdout) as Record<string, Record<string, number[]>>;
    for (const { model, feeds } of isaCases) {
      const theirs = await reference(join(root, 'test/fixtures/models', `${model}.onnx`), feeds);
      for (const [name, expected] of Object.entries(theirs)) {
        const { worst, index } = compare('float32', Float32Array.from(ours[model]![name]!), expected.data);
        t.equal(worst, 0, `${model} ${name} within tolerance (worst at ${index})`);
      }
    }
  });
}
