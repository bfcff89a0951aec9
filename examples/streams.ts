// Two streams working at once: each moves its own data host → device → host, the second waits
// for the first only where it must (an event), and events time every stage.
//
//   npx tsx examples/streams.ts [MiB per stream, default 64]
import * as acl from 'ascendcl';

const MiB = 2 ** 20;
const size = Number(process.argv[2] ?? 64) * MiB;

const rt = acl.open();
const device = rt.device(0);
try {
  const lanes = [0, 1].map((lane) => {
    const input = device.allocHost(size);
    input.bytes.fill(lane + 1);
    return {
      lane,
      stream: device.createStream(),
      input,
      output: device.allocHost(size),
      onDevice: device.alloc(size),
      scratch: device.alloc(size),
      marks: [device.createEvent(), device.createEvent(), device.createEvent(), device.createEvent()],
    };
  });
  const firstUploadDone = device.createEvent();

  // Touch every buffer once: the first use of fresh memory pays for page faults, which would
  // swamp the timings of the pass below.
  for (const { stream, output, onDevice, scratch } of lanes) {
    stream.fill(onDevice, 0);
    stream.fill(scratch, 0);
    stream.fill(output, 0);
  }
  await device.synchronize();

  // Enqueue everything first; nothing here waits.
  for (const { stream, input, output, onDevice, scratch, marks, lane } of lanes) {
    stream.record(marks[0]!);
    stream.copy(onDevice, input); // host → device
    stream.record(marks[1]!);
    if (lane === 0) stream.record(firstUploadDone);
    stream.copy(scratch, onDevice); // device → device
    stream.record(marks[2]!);
    stream.copy(output, scratch); // device → host
    stream.record(marks[3]!);
  }
  // Lane 1 also reads lane 0's upload, so it must wait for it: an event, not a host round trip.
  const [first, second] = lanes;
  second!.stream.wait(firstUploadDone);
  second!.stream.copy(second!.scratch.view(0, MiB), first!.onDevice.view(0, MiB));
  second!.stream.hostFunc(() => console.log('lane 1: copied 1 MiB of lane 0 after its upload (host function)'));

  await Promise.all(lanes.map(({ stream }) => stream.synchronize()));

  // Device-side times, all relative to lane 0's first event: how long each lane worked, and
  // the span from the first start to the last end. Overlap means the span is shorter than the
  // lanes' work added up.
  const origin = lanes[0]!.marks[0]!;
  let busy = 0;
  let spanStart = 0;
  let spanEnd = 0;
  for (const { lane, marks, output } of lanes) {
    const [h2d, d2d, d2h] = [1, 2, 3].map((i) => marks[i]!.elapsedSince(marks[i - 1]!));
    busy += marks[3]!.elapsedSince(marks[0]!);
    spanStart = Math.min(spanStart, marks[0]!.elapsedSince(origin));
    spanEnd = Math.max(spanEnd, marks[3]!.elapsedSince(origin));
    const ok = output.bytes.every((b) => b === lane + 1);
    const gbps = (ms: number) => (size / 2 ** 30 / (ms / 1000)).toFixed(1);
    console.log(
      `lane ${lane}: h2d ${h2d!.toFixed(2)} ms (${gbps(h2d!)} GiB/s), d2d ${d2d!.toFixed(2)} ms, ` +
        `d2h ${d2h!.toFixed(2)} ms (${gbps(d2h!)} GiB/s); data ${ok ? 'ok' : 'CORRUPT'}`,
    );
  }
  const span = spanEnd - spanStart;
  console.log(`both lanes: ${busy.toFixed(2)} ms of stream work within a ${span.toFixed(2)} ms span`);
  console.log(`overlap: ${span < busy ? 'yes' : 'no'} (${(busy / span).toFixed(2)}x the work of one stream at a time)`);
} finally {
  rt.close();
}
