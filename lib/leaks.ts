// Creation stacks for rt.sim.leakReport(): with ASCENDCL_DEBUG_LEAKS=1 in the environment, every
// DeviceBuffer, HostBuffer, Stream, Event and Model remembers the JS stack that created it, and
// the leak report lists those still open (not closed, not yet collected) below the simulator's
// own table. Off by default: capturing a stack costs microseconds per object.
//
// Entries hold the object weakly: a dropped object is still a leak until the garbage collector
// releases it (its native memory goes with it), and then it leaves the list by itself.

interface Tracked {
  readonly isClosed: boolean;
}

interface Entry {
  what: string;
  stack: string;
  ref: WeakRef<Tracked>;
}

const entries = new Map<number, Entry>();
const collected = new FinalizationRegistry<number>((id) => entries.delete(id));
let nextId = 1;

/** Whether creation stacks are being recorded (read per object, so tests can switch it). */
export function trackingCreation(): boolean {
  return process.env.ASCENDCL_DEBUG_LEAKS === '1';
}

// The caller's frames: drop the "Error" line and the frames inside this package's lib/dist.
function creationStack(): string {
  const lines = (new Error().stack ?? '').split('\n').slice(1);
  const outside = lines.filter((line) => !/[\\/](lib|dist)[\\/][a-z0-9]+\.(ts|js)/.test(line));
  return (outside.length > 0 ? outside : lines).slice(0, 8).join('\n');
}

/** Remember where `object` was created, when tracking is on. */
export function trackCreation(object: Tracked, what: () => string): void {
  if (!trackingCreation()) return;
  const id = nextId++;
  entries.set(id, { what: what(), stack: creationStack(), ref: new WeakRef(object) });
  collected.register(object, id);
}

/** The open objects with their creation stacks, or a line saying how to get them. */
export function creationReport(): string {
  if (!trackingCreation() && entries.size === 0) {
    return 'JS creation stacks: set ASCENDCL_DEBUG_LEAKS=1 before creating objects to record them\n';
  }
  const open: string[] = [];
  for (const [id, entry] of entries) {
    const object = entry.ref.deref();
    if (object === undefined || object.isClosed) {
      entries.delete(id);
      continue;
    }
    open.push(`  ${entry.what}, created\n${entry.stack.replace(/^\s*/gm, '      ')}`);
  }
  if (open.length === 0) return 'JS objects still open: none\n';
  return `JS objects still open: ${open.length}\n${open.join('\n')}\n`;
}
