// Shared test helpers. Every test runs on the simulator; none uses a sleep to wait for work:
// work that must take time is held on a gate (a host function awaiting a Promise we resolve).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The build under test: build/Release, or the one ASCENDCL_ADDON_DIR names (npm run test:asan).
export const buildDir = process.env.ASCENDCL_ADDON_DIR || join(root, 'build', 'Release');
export const simLibrary = join(buildDir, 'libascendcl_sim.so');
export const stubLibrary = join(buildDir, 'test', 'libacl_test_stub.so');
export const partialLibrary = join(buildDir, 'test', 'libacl_test_partial.so');
export const MiB = 2 ** 20;

/** A Promise with its resolve function outside. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Run a fixture script (test/fixtures/<name>) in a fresh Node process. */
export function runFixture(name: string, args: string[] = [], options: RunOptions = {}): Promise<ChildResult> {
  return runScript(join(root, 'test', 'fixtures', name), args, options);
}

/** Run an example (examples/<name>.ts) the way the README does, through tsx. */
export function runExample(name: string, args: string[] = [], options: RunOptions = {}): Promise<ChildResult> {
  return runScript(join(root, 'examples', name), args, { ...options, nodeArgs: ['--import', 'tsx', ...(options.nodeArgs ?? [])] });
}

/** Run a script in a fresh Node process, with a hard timeout. */
export function runScript(path: string, args: string[] = [], options: RunOptions = {}): Promise<ChildResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), path, ...args], {
      cwd: root,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path} did not exit within ${options.timeoutMs ?? 60000} ms\n${stderr}`));
    }, options.timeoutMs ?? 60000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Every byte of `bytes` equals its index pattern `(i * 31 + seed) & 255`. */
export function pattern(length: number, seed = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 255;
  return out;
}
