// What `npu-smi info` shows, from Node: the backend and library in use, the SoC, versions,
// and every device with its memory.
//
//   npx tsx examples/devices.ts            # the NPU when one is usable, else the simulator
//   ASCENDCL_BACKEND=sim ASCENDCL_SIM_DEVICES=4 npx tsx examples/devices.ts
import * as acl from 'ascendcl';

const GiB = 2 ** 30;
const rt = acl.open();
try {
  console.log(`backend      ${rt.backend}${rt.backend === 'sim' ? ' (simulated NPU)' : ''}`);
  console.log(`library      ${rt.libraryPath}`);
  console.log(`SoC          ${rt.socName}`);
  console.log(`ACL version  ${rt.version.major}.${rt.version.minor}.${rt.version.patch}`);
  console.log(`CANN         ${rt.cannVersion ?? 'unknown'}`);
  console.log(`run mode     ${rt.runMode}`);
  console.log(`devices      ${rt.deviceCount}`);
  console.log('');
  console.log('id  state   memory used / total (GiB)   free');
  for (let id = 0; id < rt.deviceCount; id++) {
    const device = rt.device(id);
    const { free, total } = device.memoryInfo();
    const used = total - free;
    const bar = '#'.repeat(Math.round((used / total) * 20)).padEnd(20, '.');
    console.log(
      `${String(id).padEnd(3)} ${device.state.padEnd(7)} [${bar}] ${(used / GiB).toFixed(2)} / ${(total / GiB).toFixed(2)}` +
        `   ${(free / GiB).toFixed(2)} GiB`,
    );
  }
} finally {
  rt.close();
}
