#!/usr/bin/env bash
# The package as users get it: prebuild → npm pack → install the tarball into a fresh project
# with no compiler, make or python on PATH → run a small program and the CLI on the simulator.
#
#   npm run test:pack                  prebuilds/ from the development build (incremental)
#   PREBUILDIFY=1 npm run test:pack    prebuilds/ from a clean prebuildify build, as a release
#   SKIP_PREBUILD=1 npm run test:pack  prebuilds/ as they are
#
# Needs the npm registry (or a warm npm cache) for the package's own dependencies.
set -euo pipefail
started=$(date +%s)
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/ascendcl-pack-XXXXXX)"
trap 'rm -rf "$work"' EXIT
step() { echo "== $* ($(( $(date +%s) - started )) s)"; }

cd "$root"
arch="$(node -p process.arch)"
if [[ "${SKIP_PREBUILD:-}" != 1 || ! -d "prebuilds/linux-$arch" ]]; then
  step "prebuild linux-$arch"
  if [[ "${PREBUILDIFY:-}" == 1 ]]; then node tools/prebuild.js "$arch"; else node tools/prebuild.js --from-build; fi
fi
[[ -f "prebuilds/linux-$arch/libascendcl_sim.so" ]] || { echo "prebuilds/linux-$arch has no libascendcl_sim.so" >&2; exit 1; }

step "npm pack"
tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
tarball="$work/$tarball"
size=$(stat -c %s "$tarball")
listing="$(tar -tzf "$tarball")"
files=$(wc -l <<<"$listing")
echo "tarball: $(basename "$tarball"), $((size / 1024)) KiB, $files files"
if grep -E '^package/(build/|test/|node_modules/|native/sim/tests/|lib/)' <<<"$listing"; then
  echo "the tarball holds files users do not need (above)" >&2; exit 1
fi
grep -qx "package/prebuilds/linux-$arch/libascendcl_sim.so" <<<"$listing" || { echo "no simulator in the tarball" >&2; exit 1; }

# A PATH with node, npm and a shell's basic tools only: no cc, c++, gcc, g++, make or python3.
shim="$work/bin"
mkdir -p "$shim"
for tool in node npm npx sh bash env cat ls mkdir rm cp mv ln grep sed uname chmod dirname basename tail head wc; do
  ln -s "$(command -v "$tool")" "$shim/$tool"
done
for tool in cc c++ gcc g++ make python3 node-gyp; do
  if PATH="$shim" command -v "$tool" >/dev/null 2>&1; then echo "$tool is still on the stripped PATH" >&2; exit 1; fi
done

step "install into a fresh project (PATH=$shim)"
project="$work/project"
mkdir -p "$project"
cd "$project"
PATH="$shim" npm init -y >/dev/null
PATH="$shim" npm install --no-audit --no-fund --prefer-offline "$tarball"
[[ ! -d node_modules/ascendcl/build ]] || { echo "npm install built from source instead of using the prebuilt binary" >&2; exit 1; }
cp "$root/test/fixtures/models/tiny.onnx" .

cat > smoke.mjs <<'EOF'
import * as acl from 'ascendcl';
const rt = acl.open({ backend: 'sim' });
const dev = rt.device(0);
const host = dev.allocHost(64);
host.bytes.fill(7);
const buf = dev.alloc(64);
const stream = dev.createStream();
stream.copy(buf, host);
stream.fill(host, 0);
stream.copy(host, buf);
await stream.synchronize();
if (!host.bytes.every((b) => b === 7)) throw new Error('round trip through the device lost the data');
const session = await acl.InferenceSession.create('tiny.onnx', { device: dev });
const out = await session.run({ x: new acl.Tensor(new Float32Array(256).fill(1), [16, 16]) });
if (out.y.dims.join() !== '16,16') throw new Error(`unexpected output dims ${out.y.dims}`);
await session.release();
const d = acl.diagnose();
rt.close();
if (!d.addon.prebuilt) throw new Error(`the addon did not come from prebuilds/: ${d.addon.path}`);
console.log(`smoke ok: ${rt.backend}, addon ${d.addon.path.replace(process.cwd() + '/', '')}`);
EOF
step "run a program on the simulator"
PATH="$shim" node smoke.mjs
step "the ascendcl command"
PATH="$shim" ASCENDCL_BACKEND=sim npx --no-install ascendcl info --json | node -e '
  const d = JSON.parse(require("fs").readFileSync(0, "utf8"));
  if (d.backend !== "sim" || d.deviceCount < 1 || !d.addon.prebuilt) { console.error(d); process.exit(1); }
  console.log(`info ok: ${d.backend}, ${d.deviceCount} device(s), prebuilt addon`);'
PATH="$shim" ASCENDCL_BACKEND=sim npx --no-install ascendcl run tiny.onnx --iterations 20 --warmup 2 | grep -E '^latency: .* p50 .* p99 '
step "pack test passed"
