// event.query() — the public method, through lib/, the addon and the function table into the
// runtime — against an empty Node-API function from bench/baseline (the cheapest native call).
import type { Runtime } from '../../dist/index.js';
import { type Row, baselineAddon as baseline, pairedNs, reps, row } from '../harness.js';

export function callOverhead(runtime: Runtime): Row[] {
  const device = runtime.device(0);
  const event = device.createEvent({ timing: false });
  const empty = baseline.empty;
  try {
    const [base, query] = pairedNs(() => empty(), () => event.query(), reps(25), 40);
    return [
      row({
        group: 'call overhead',
        name: 'event.query()',
        value: query,
        unit: 'ns/call',
        baselineName: 'empty Node-API function',
        baseline: base,
        ratio: query / base,
        target: { max: 12, text: '≤ 12×' },
      }),
    ];
  } finally {
    event.close();
  }
}
