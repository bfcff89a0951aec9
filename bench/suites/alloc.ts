// alloc+close pairs per second: straight from the runtime (`device.alloc(n)`, one aclrtMalloc and
// one aclrtFree each) against the device's caching pool (`device.alloc(n, { pooled: true })`).
// The baseline here is the unpooled pair; the ratio is the pool's speed-up.
import type { Runtime } from '../../dist/index.js';
import { type Row, pairedNs, reps, row } from '../harness.js';

export function allocPairs(runtime: Runtime): Row[] {
  const device = runtime.device(0);
  const rows: Row[] = [];
  for (const bytes of [4096, 1 << 20, 16 << 20]) {
    const [plain, pooled] = pairedNs(
      () => device.alloc(bytes).close(),
      () => device.alloc(bytes, { pooled: true }).close(),
      reps(15),
      30,
    );
    const label = bytes >= 1 << 20 ? `${bytes >> 20} MiB` : `${bytes >> 10} KiB`;
    rows.push(
      row({
        group: 'alloc+close',
        name: `pooled ${label}`,
        value: 1e9 / pooled,
        unit: 'pairs/s',
        baselineName: `aclrtMalloc+aclrtFree ${label} (${Math.round(1e9 / plain)} pairs/s)`,
        baseline: 1e9 / plain,
        ratio: plain / pooled,
        note: 'ratio = pool speed-up',
      }),
    );
  }
  device.trimPool();
  return rows;
}
