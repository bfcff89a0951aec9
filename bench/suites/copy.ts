// Copy bandwidth through stream.copy + synchronizeSync, host→device, device→host and
// device→device, from pinned memory (HostBuffer) and from ordinary typed arrays, each against
// Buffer.prototype.copy of the same size (a plain memcpy between two Node Buffers) timed in the
// same rep. Target: 64 MiB pinned host→device within 1.25× of memcpy's time.
import type { Runtime } from '../../dist/index.js';
import { QUICK, type Row, calibrate, median, nsPerCall, reps, row } from '../harness.js';

const SIZES = QUICK ? [4 << 10, 1 << 20, 64 << 20] : [4 << 10, 64 << 10, 1 << 20, 16 << 20, 64 << 20, 256 << 20];

function label(bytes: number): string {
  return bytes >= 1 << 20 ? `${bytes >> 20} MiB` : `${bytes >> 10} KiB`;
}

export function copyBandwidth(runtime: Runtime): Row[] {
  const device = runtime.device(0);
  const stream = device.createStream();
  const rows: Row[] = [];
  try {
    for (const bytes of SIZES) {
      const a = Buffer.alloc(bytes, 1);
      const b = Buffer.alloc(bytes, 2);
      const dev = device.alloc(bytes);
      const dev2 = device.alloc(bytes);
      const pinned = device.allocHost(bytes);
      const typed = new Float32Array(bytes / 4).fill(3);
      pinned.bytes.fill(4);
      const cases: [string, () => void][] = [
        ['H2D pinned', () => stream.copy(dev, pinned)],
        ['H2D typed array', () => stream.copy(dev, typed)],
        ['D2H pinned', () => stream.copy(pinned, dev)],
        ['D2H typed array', () => stream.copy(typed, dev)],
        ['D2D', () => stream.copy(dev2, dev)],
      ];
      try {
        const memcpy = () => a.copy(b);
        const budget = bytes >= 64 << 20 ? 60 : 25;
        for (const [name, enqueue] of cases) {
          const subject = () => {
            enqueue();
            stream.synchronizeSync();
          };
          subject(); // touch every page once so first-use faults are not timed
          const nb = calibrate(memcpy, budget);
          const ns = calibrate(subject, budget);
          const base: number[] = [];
          const time: number[] = [];
          for (let r = 0; r < reps(bytes >= 64 << 20 ? 11 : 9); r++) {
            base.push(nsPerCall(memcpy, nb));
            time.push(nsPerCall(subject, ns));
          }
          const t = median(time);
          const m = median(base);
          const isTarget = name === 'H2D pinned' && bytes === 64 << 20;
          rows.push(
            row({
              group: 'copy',
              name: `${name} ${label(bytes)}`,
              value: bytes / t, // bytes per ns = GB/s
              unit: 'GB/s',
              baselineName: `Buffer.copy ${label(bytes)} (${(bytes / m).toFixed(1)} GB/s)`,
              baseline: bytes / m,
              ratio: t / m,
              ...(isTarget ? { target: { max: 1.25, text: '≤ 1.25× memcpy time' } } : {}),
              note: 'ratio = time / memcpy time',
            }),
          );
        }
      } finally {
        dev.close();
        dev2.close();
        pinned.close();
      }
    }
  } finally {
    stream.close();
  }
  return rows;
}
