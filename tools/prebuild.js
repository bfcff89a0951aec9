#!/usr/bin/env node
// Builds the binaries shipped in the package: prebuilds/linux-<arch>/ascendcl.glibc.node (the
// addon, Node-API tagged, found by node-gyp-build) and libascendcl_sim.so beside it (the addon
// loads the simulator from its own directory).
//
//   node tools/prebuild.js [x64] [arm64]      (default: this machine's arch; npm run prebuilds)
//   node tools/prebuild.js --from-build        this machine's arch from the development build
//
// --from-build (the pack test's fast path) brings build/Release up to date with an incremental
// `node-gyp build` and copies the addon under prebuildify's name (ascendcl.glibc.node, Node-API
// tagged) with the simulator, both stripped: the same files prebuildify makes, without its
// clean rebuild.
//
// Each arch builds with prebuildify in a scratch copy of the sources, so the development build
// in build/ is left alone. arm64 on an x64 host cross-compiles with Debian's
// g++-aarch64-linux-gnu (apt-get install g++-aarch64-linux-gnu).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { arch as hostArch, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const fromBuild = args.includes('--from-build');
const arches = fromBuild ? [hostArch()] : args.length > 0 ? args : [hostArch()];
const CROSS = {
  arm64: { prefix: 'aarch64-linux-gnu-', package: 'g++-aarch64-linux-gnu' },
  x64: { prefix: 'x86_64-linux-gnu-', package: 'g++-x86-64-linux-gnu' },
};

function run(command, args, options) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`);
  }
}

if (fromBuild) {
  const started = Date.now();
  const nodeGyp = join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  run(process.execPath, [nodeGyp, 'build', '-j', 'max'], { cwd: root });
  const target = join(root, 'prebuilds', `linux-${hostArch()}`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const addonFile = join(target, 'ascendcl.glibc.node');
  cpSync(join(root, 'build', 'Release', 'ascendcl.node'), addonFile);
  cpSync(join(root, 'build', 'Release', 'libascendcl_sim.so'), join(target, 'libascendcl_sim.so'));
  run('strip', ['--strip-unneeded', addonFile, join(target, 'libascendcl_sim.so')]);
  console.log(`prebuilds/linux-${hostArch()}: ${readdirSync(target).join(', ')} from build/Release (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  process.exit(0);
}

for (const arch of arches) {
  if (!CROSS[arch]) throw new Error(`unsupported arch ${arch}: expected x64 or arm64`);
  const started = Date.now();
  const scratch = mkdtempSync(join(tmpdir(), `ascendcl-prebuild-${arch}-`));
  try {
    for (const entry of ['binding.gyp', 'package.json', 'native']) {
      cpSync(join(root, entry), join(scratch, entry), {
        recursive: true,
        filter: (src) => !/native\/(sim\/tests|tools)(\/|$)/.test(src),
      });
    }
    symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'));

    const env = { ...process.env, JOBS: process.env.JOBS ?? 'max' };
    // Build against this Node's own headers (Node-API is the same for every version this
    // targets), so nothing is downloaded.
    const nodeDir = dirname(dirname(process.execPath));
    if (!env.npm_config_nodedir && existsSync(join(nodeDir, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = nodeDir;
    let strip = 'strip';
    if (arch !== hostArch()) {
      const { prefix, package: pkg } = CROSS[arch];
      const probe = spawnSync(`${prefix}g++`, ['--version']);
      if (probe.status !== 0) throw new Error(`cross-compiling for ${arch} needs ${prefix}g++: apt-get install ${pkg}`);
      Object.assign(env, { CC: `${prefix}gcc`, CXX: `${prefix}g++`, LINK: `${prefix}g++`, AR: `${prefix}ar` });
      strip = `${prefix}strip`;
      env.PREBUILD_STRIP_BIN = strip;
    }
    const prebuildify = join(root, 'node_modules', 'prebuildify', 'bin.js');
    run(process.execPath, [prebuildify, '--napi', '--strip', '--tag-libc', `--arch=${arch}`, `--target=node@${process.versions.node}`], { cwd: scratch, env });

    const built = join(scratch, 'prebuilds', `linux-${arch}`);
    // prebuildify copies every shared library of the build; the loader tests' libraries stay out.
    for (const file of readdirSync(built)) if (file.startsWith('libacl_test_')) rmSync(join(built, file));
    const sim = join(built, 'libascendcl_sim.so');
    if (!existsSync(sim)) cpSync(join(scratch, 'build', 'Release', 'libascendcl_sim.so'), sim);
    run(strip, ['--strip-unneeded', sim]);
    const target = join(root, 'prebuilds', `linux-${arch}`);
    rmSync(target, { recursive: true, force: true });
    cpSync(built, target, { recursive: true });
    console.log(`prebuilds/linux-${arch}: ${readdirSync(target).join(', ')} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
