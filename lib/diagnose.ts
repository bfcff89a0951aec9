// acl.diagnose(): everything that decides whether an Ascend device can be used here, and what to
// do when it cannot (user-problems.md #1 and #9). The CLI's `ascendcl info` prints it.
import { readdirSync } from 'node:fs';
import { AclError } from './errors.js';
import { addon, addonOrigin, type NativeProbe } from './native.js';
import { open, type Runtime, type SimOptions } from './runtime.js';
import { nonEmptyString, optionsObject } from './validate.js';

/** One place the 'npu' backend looks for libascendcl.so, in search order. */
export interface LibraryCandidate {
  /** As searched: a path, or the bare name handed to the system loader. */
  path: string;
  /** The file the system loader actually opened, when it opened one. */
  resolvedPath: string | null;
  /** Loads, has every required function, and is not CANN's stub. */
  ok: boolean;
  /** CANN's link-only stub library (every call answers 100039). */
  stub: boolean;
  /** The simulator (someone pointed the search at libascendcl_sim.so). */
  simulator: boolean;
  /** Why it was not usable ('' when ok). */
  reason: string;
  /** Optional functions this runtime lacks (older CANN): the APIs using them report so when called. */
  missingOptional: string[];
}

export interface DiagnosedDevice {
  id: number;
  /** Device memory (`aclrtGetMemInfo`), null when the device could not be opened. */
  memory: { free: number; total: number } | null;
  /** Why the device could not be opened, with the AscendCL code name. */
  error: string | null;
}

export interface Problem {
  severity: 'error' | 'warning' | 'info';
  problem: string;
  fix: string;
}

export interface Diagnosis {
  /** What `open()` chooses with these options: 'npu' when a real device is usable. */
  backend: 'npu' | 'sim';
  /** Why (the runtime's `reason`). */
  reason: string;
  /** The library that was loaded. */
  libraryPath: string;
  /** Every candidate of the 'npu' search and what became of it. */
  search: LibraryCandidate[];
  /** CANN's stub library is rejected at load; these candidates were the stub. */
  stubCheck: { performed: true; stubs: string[] };
  runMode: 'host' | 'device' | null;
  /** The CANN version string (null when the runtime does not report one). */
  cannVersion: string | null;
  /** The ACL API version (`aclrtGetVersion`). */
  aclVersion: { major: number; minor: number; patch: number } | null;
  socName: string | null;
  deviceCount: number;
  devices: DiagnosedDevice[];
  /** Device-visibility and installation environment variables (null = unset). */
  env: Record<string, string | null>;
  /** Ascend device nodes present in /dev (a container without them sees no device). */
  deviceNodes: string[];
  /** The native addon this process loaded. */
  addon: { path: string; prebuilt: boolean; platform: string; arch: string; node: string; napi: string };
  /** What stands between this machine and a usable NPU, each with what to do. */
  problems: Problem[];
}

export interface DiagnoseOptions {
  /** As `open({ libraryPath })`: probe only this library. */
  libraryPath?: string;
  /** Simulator settings used when the diagnosis falls back to the simulator. */
  sim?: SimOptions;
}

/** Environment variables that decide what AscendCL finds and which devices it sees. */
const ENV_VARS = [
  'ASCEND_VISIBLE_DEVICES',
  'ASCEND_RT_VISIBLE_DEVICES',
  'ASCEND_DEVICE_ID',
  'ASCEND_HOME_PATH',
  'ASCEND_TOOLKIT_HOME',
  'ASCEND_OPP_PATH',
  'LD_LIBRARY_PATH',
  'ASCENDCL_BACKEND',
];

const SET_ENV = 'source /usr/local/Ascend/ascend-toolkit/set_env.sh (or <toolkit>/set_env.sh)';

function environment(): Record<string, string | null> {
  const env: Record<string, string | null> = {};
  for (const name of ENV_VARS) env[name] = process.env[name] ?? null;
  for (const name of Object.keys(process.env).sort()) {
    if (name.startsWith('ASCENDCL_SIM_')) env[name] = process.env[name] ?? null;
  }
  return env;
}

function deviceNodes(): string[] {
  try {
    return readdirSync('/dev')
      .filter((name) => /^(davinci\d+|davinci_manager|devmm_svm|hisi_hdc)$/.test(name))
      .map((name) => `/dev/${name}`)
      .sort();
  } catch {
    return [];
  }
}

function describeError(error: unknown): string {
  if (error instanceof AclError) return `${error.code} ${error.codeName}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function problemsOf(d: Omit<Diagnosis, 'problems'>, npuError: string | null): Problem[] {
  const problems: Problem[] = [];
  const real = d.search.filter((c) => !c.simulator);
  const found = real.filter((c) => c.ok);
  const stubs = real.filter((c) => c.stub);
  // "not found" is the loader's own check of a path; for the bare name the system loader says
  // it could not open that very file (a missing dependency names the dependency instead).
  const absent = (c: LibraryCandidate) =>
    /^not found/.test(c.reason) || c.reason === `dlopen failed: ${c.path}: cannot open shared object file: No such file or directory`;
  const broken = real.filter((c) => !c.ok && !c.stub && !absent(c));
  if (found.length === 0 && stubs.length === 0 && broken.length === 0) {
    problems.push({
      severity: d.backend === 'sim' ? 'info' : 'error',
      problem: 'The AscendCL runtime (libascendcl.so) is not installed, or not where it is searched for.',
      fix: `Install the CANN toolkit (or nnrt) for this CPU and ${SET_ENV}; it sets ASCEND_HOME_PATH. Or pass open({ libraryPath }). Without an NPU the simulator runs everything (backend 'sim').`,
    });
  }
  for (const stub of stubs) {
    problems.push({
      severity: 'error',
      problem: `${stub.resolvedPath ?? stub.path} is CANN's link-only stub library (every call answers 100039 ACL_ERROR_COMPILING_STUB_MODE).`,
      fix: `Take the stub directory (…/devlib or …/stub) out of LD_LIBRARY_PATH and ${SET_ENV} so that <toolkit>/lib64/libascendcl.so is found, or pass open({ libraryPath: '<toolkit>/lib64/libascendcl.so' }).`,
    });
  }
  for (const candidate of broken) {
    const wrongArch = /wrong ELF class|cannot open shared object.*ELF/i.test(candidate.reason);
    problems.push({
      severity: 'error',
      problem: `${candidate.path} exists but does not load: ${candidate.reason}`,
      fix: wrongArch
        ? `The library is built for another CPU. Install the CANN packages for ${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}.`
        : `Its dependencies are not on the library path: ${SET_ENV}; it adds the driver (/usr/local/Ascend/driver/lib64) and toolkit libraries to LD_LIBRARY_PATH.`,
    });
  }
  for (const candidate of found) {
    if (candidate.missingOptional.length > 0) {
      problems.push({
        severity: 'warning',
        problem: `${candidate.resolvedPath ?? candidate.path} lacks ${candidate.missingOptional.join(', ')} (an older CANN); the APIs that need them report "not available in this runtime".`,
        fix: 'Upgrade CANN to 8.0 or later to use them.',
      });
    }
  }
  if (found.length > 0 && d.backend === 'sim') {
    problems.push({
      severity: 'error',
      problem: `The AscendCL runtime loads but cannot be used: ${npuError ?? d.reason}`,
      fix:
        'Check the driver and firmware with `npu-smi info` (they must match the CANN version). In a container, pass the device nodes ' +
        '(--device /dev/davinciN --device /dev/davinci_manager --device /dev/devmm_svm --device /dev/hisi_hdc) and mount ' +
        '/usr/local/Ascend/driver. Make sure ASCEND_VISIBLE_DEVICES / ASCEND_RT_VISIBLE_DEVICES name devices that exist, and that no other process holds the card.',
    });
  }
  if (found.length > 0 && d.deviceNodes.length === 0) {
    problems.push({
      severity: 'warning',
      problem: 'No Ascend device nodes (/dev/davinci*) are visible to this process.',
      fix: 'In a container, pass them with --device (Ascend Docker Runtime: set ASCEND_VISIBLE_DEVICES); on the host, install the driver.',
    });
  }
  const rtVisible = d.env.ASCEND_RT_VISIBLE_DEVICES;
  if (rtVisible !== null && rtVisible !== undefined && !/^\d+(,\d+)*$/.test(rtVisible.trim())) {
    problems.push({
      severity: 'warning',
      problem: `ASCEND_RT_VISIBLE_DEVICES=${JSON.stringify(rtVisible)} is not a comma-separated list of device ids.`,
      fix: 'Set it like ASCEND_RT_VISIBLE_DEVICES=0,1 (logical ids are then 0..n-1), or unset it.',
    });
  }
  for (const device of d.devices) {
    if (device.error !== null) {
      problems.push({
        severity: 'error',
        problem: `Device ${device.id} does not open: ${device.error}`,
        fix: /507033|DEV_SETUP|507899|DRV/.test(device.error)
          ? 'The driver could not set the device up: check `npu-smi info`, driver/firmware versions against CANN, and that no other process or container holds it.'
          : 'See docs/errors.md for the code; acl.diagnose() after a device.reset() or a restart of the process shows whether it recovers.',
      });
    }
  }
  return problems;
}

/**
 * Report what was searched for the AscendCL runtime and why each candidate failed, the stub
 * check, run mode, CANN and ACL versions, SoC, devices with their memory, device-visibility
 * variables, and the problems found with what to do about each. Opens a runtime the way
 * `open({ backend: 'auto' })` does (sharing one already open) and closes it again.
 */
export function diagnose(options?: DiagnoseOptions): Diagnosis {
  const opts = optionsObject<DiagnoseOptions>(options, 'options');
  const libraryPath = opts.libraryPath === undefined ? undefined : nonEmptyString(opts.libraryPath, 'libraryPath');
  const search: LibraryCandidate[] = addon.probeLibraries(libraryPath).map((probe: NativeProbe) => ({ ...probe }));
  const usable = search.some((c) => c.ok && !c.simulator);

  let rt: Runtime | null = null;
  let npuError: string | null = null;
  try {
    rt = open({ backend: usable ? 'auto' : 'sim', ...(libraryPath ? { libraryPath } : {}), ...(opts.sim ? { sim: opts.sim } : {}) });
  } catch (error) {
    npuError = describeError(error);
    // A runtime of the other backend is open in this process: report it as it is.
    rt = open({ backend: 'auto' });
  }
  try {
    const devices: DiagnosedDevice[] = [];
    for (let id = 0; id < rt.deviceCount; id++) {
      try {
        devices.push({ id, memory: rt.device(id).memoryInfo(), error: null });
      } catch (error) {
        devices.push({ id, memory: null, error: describeError(error) });
      }
    }
    const base: Omit<Diagnosis, 'problems'> = {
      backend: rt.backend,
      reason: rt.reason,
      libraryPath: rt.libraryPath,
      search,
      stubCheck: { performed: true, stubs: search.filter((c) => c.stub).map((c) => c.resolvedPath ?? c.path) },
      runMode: rt.runMode,
      cannVersion: rt.cannVersion,
      aclVersion: { ...rt.version },
      socName: rt.socName,
      deviceCount: rt.deviceCount,
      devices,
      env: environment(),
      deviceNodes: deviceNodes(),
      addon: {
        path: addonOrigin.path,
        prebuilt: addonOrigin.prebuilt,
        platform: process.platform,
        arch: process.arch,
        node: process.versions.node,
        napi: process.versions.napi ?? '',
      },
    };
    return { ...base, problems: problemsOf(base, npuError) };
  } finally {
    rt.close();
  }
}

/** The diagnosis as the readable report `ascendcl info` prints. */
export function formatDiagnosis(d: Diagnosis): string {
  const gib = (n: number) => `${(n / 2 ** 30).toFixed(2)} GiB`;
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`${label.padEnd(14)}${value}`);
  row('backend', `${d.backend}  (${d.reason})`);
  row('library', d.libraryPath);
  row('run mode', d.runMode ?? '-');
  row('CANN', d.cannVersion ?? '(not reported)');
  row('ACL API', d.aclVersion ? `${d.aclVersion.major}.${d.aclVersion.minor}.${d.aclVersion.patch}` : '-');
  row('SoC', d.socName ?? '-');
  row('devices', String(d.deviceCount));
  for (const device of d.devices) {
    const memory = device.memory ? `${gib(device.memory.free)} free of ${gib(device.memory.total)}` : `error: ${device.error}`;
    lines.push(`  ${String(device.id).padEnd(4)}${memory}`);
  }
  lines.push('', 'libascendcl.so search (stub check on every candidate):');
  for (const c of d.search) {
    const status = c.ok ? (c.simulator ? 'simulator' : 'ok') : c.stub ? 'STUB' : 'no';
    lines.push(`  ${status.padEnd(10)}${c.path}${c.resolvedPath && c.resolvedPath !== c.path ? ` -> ${c.resolvedPath}` : ''}${c.reason ? `: ${c.reason}` : ''}`);
  }
  lines.push('', 'environment:');
  for (const [name, value] of Object.entries(d.env)) lines.push(`  ${name}=${value ?? '(unset)'}`);
  lines.push(`  device nodes: ${d.deviceNodes.length > 0 ? d.deviceNodes.join(' ') : '(none)'}`);
  lines.push('', `addon: ${d.addon.path} (${d.addon.prebuilt ? 'prebuilt' : 'built from source'}, ${d.addon.platform}-${d.addon.arch}, Node ${d.addon.node}, N-API ${d.addon.napi})`);
  lines.push('', d.problems.length === 0 ? 'problems: none' : 'problems:');
  for (const p of d.problems) lines.push(`  [${p.severity}] ${p.problem}`, `      fix: ${p.fix}`);
  return lines.join('\n');
}
