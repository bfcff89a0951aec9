#!/usr/bin/env bash
# Smoke-tests prebuilds/linux-arm64 on an x64 machine: Debian's arm64 Node under qemu-user loads
# the package (dist/ + the arm64 prebuild + its simulator), moves data through a device and runs
# a model on the simulator.
#
#   node tools/prebuild.js arm64 && bash tools/arm64-smoke.sh
#
# Needs: apt-get install qemu-user; dpkg --add-architecture arm64 && apt-get update (the arm64
# nodejs packages are fetched with apt-get download into $ARM64_ROOT, default
# /tmp/ascendcl-arm64-root, and extracted there — nothing is installed on the host).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sysroot="${ARM64_ROOT:-/tmp/ascendcl-arm64-root}"
[[ -f "$root/prebuilds/linux-arm64/libascendcl_sim.so" ]] || { echo "no prebuilds/linux-arm64: node tools/prebuild.js arm64" >&2; exit 1; }
command -v qemu-aarch64 >/dev/null || { echo "qemu-aarch64 missing: apt-get install qemu-user" >&2; exit 1; }

if [[ ! -x "$sysroot/usr/bin/node" ]]; then
  debs="$sysroot.debs"
  mkdir -p "$debs" "$sysroot"
  (cd "$debs" && apt-get download nodejs:arm64 libnode108:arm64 libbrotli1:arm64 libc-ares2:arm64 libicu72:arm64 \
    libnghttp2-14:arm64 libssl3:arm64 libuv1:arm64 zlib1g:arm64 libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64 \
    node-cjs-module-lexer node-acorn node-undici)
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$sysroot"; done
fi
# qemu-user resolves absolute paths (the ELF interpreter, Debian node's /usr/share/nodejs
# builtins) inside QEMU_LD_PREFIX first.
export QEMU_LD_PREFIX="$sysroot"
export LD_LIBRARY_PATH="$sysroot/usr/lib/aarch64-linux-gnu:$sysroot/lib/aarch64-linux-gnu"
node_arm64() { qemu-aarch64 "$sysroot/usr/bin/node" "$@"; }

pkg="$(mktemp -d /tmp/ascendcl-arm64-XXXXXX)"
trap 'rm -rf "$pkg"' EXIT
mkdir -p "$pkg/prebuilds"
cp -r "$root/package.json" "$root/dist" "$pkg/"
cp -r "$root/prebuilds/linux-arm64" "$pkg/prebuilds/"
ln -s "$root/node_modules" "$pkg/node_modules"
cp "$root/test/fixtures/models/tiny.onnx" "$pkg/"
file "$pkg/prebuilds/linux-arm64/"* | sed "s|$pkg/||"

cat > "$pkg/smoke.mjs" <<'EOF'
import * as acl from 'ascendcl';
const rt = acl.open({ backend: 'sim' });
const dev = rt.device(0);
const host = dev.allocHost(1024);
host.bytes.fill(3);
const buf = dev.alloc(1024);
const s = dev.createStream();
s.copy(buf, host);
s.fill(host, 0);
s.copy(host, buf);
await s.synchronize();
if (!host.bytes.every((b) => b === 3)) throw new Error('data lost on the way through the device');
const model = await dev.loadModel('tiny.onnx');
const x = dev.alloc(1024), y = dev.alloc(1024);
x.write(new Float32Array(256).fill(1));
await model.execute([x], [y]);
const out = new Float32Array(y.read().buffer);
const d = acl.diagnose();
console.log(`arm64 smoke ok: ${process.arch}, Node ${process.version}, ${rt.backend} ${rt.socName}, ` +
  `tiny model y[0] = ${out[0].toFixed(4)}, addon ${d.addon.path.split('/').slice(-2).join('/')} (prebuilt ${d.addon.prebuilt})`);
rt.close();
EOF
cd "$pkg"
started=$(date +%s)
PREBUILDS_ONLY=1 node_arm64 smoke.mjs
echo "under qemu in $(( $(date +%s) - started )) s"
