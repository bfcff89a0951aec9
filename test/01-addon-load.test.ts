// Loading the native addon itself: when no build loads, one AclLoadError lists every file tried
// and why, with what to do. Runs a copy of the package whose only binary is broken.
import t from 'tap';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, runScript } from './helpers.js';

// The copy must go through the loader under test: ASCENDCL_ADDON_DIR (set by `npm run test:asan`
// to the sanitizer build) would bypass it and load that build instead of failing.
const env = { ASCENDCL_ADDON_DIR: '' };

t.test('a broken prebuilt binary: one actionable AclLoadError', async (t) => {
  const pkg = mkdtempSync(join(tmpdir(), 'ascendcl-load-'));
  cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'));
  const prebuilds = join(pkg, 'prebuilds', `${process.platform}-${process.arch}`);
  mkdirSync(prebuilds, { recursive: true });
  writeFileSync(join(prebuilds, 'ascendcl.glibc.node'), 'not an ELF file');
  writeFileSync(
    join(pkg, 'main.mjs'),
    `try { await import('./dist/index.js'); console.log('loaded'); } catch (e) {
       console.log(JSON.stringify({ name: e.name, message: e.message, attempts: e.attempts })); }`,
  );
  const result = await runScript(join(pkg, 'main.mjs'), [], { env });
  t.equal(result.code, 0, result.stderr);
  const error = JSON.parse(result.stdout);
  t.equal(error.name, 'AclLoadError');
  t.match(error.message, /cannot load the ascendcl native addon for linux-/);
  t.match(error.message, /npm rebuild ascendcl/);
  t.equal(error.attempts.length, 1);
  t.equal(error.attempts[0].path, join(prebuilds, 'ascendcl.glibc.node'));
  t.match(error.attempts[0].reason, /invalid ELF header|file too short/);
});

t.test('no binary at all: node-gyp-build’s search is reported', async (t) => {
  const pkg = mkdtempSync(join(tmpdir(), 'ascendcl-load-'));
  cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'));
  writeFileSync(join(pkg, 'main.mjs'), `try { await import('./dist/index.js'); } catch (e) { console.log(e.message); }`);
  const result = await runScript(join(pkg, 'main.mjs'), [], { env });
  t.match(result.stdout, /node-gyp-build search in .*: No native build was found for platform=linux/);
});
