#!/usr/bin/env bash
# Makes sure the Kubernetes schema validator of Deploy/scripts/validate-k8s.mjs is installed in
# .tools/kube-validate (ignored by git) and prints the path of that script. Used by CI before the
# tests, so every object the chart renders is checked against the Kubernetes API's OpenAPI schemas
# (tests/Deploy.Tests/KubernetesSchemaTests).
#
# No root and nothing fetched from outside the npm registry: `npm ci` installs exactly the packages
# of Deploy/scripts/kube-validate/package-lock.json (kubernetes-models, whose generated validators
# hold the schemas of every built-in kind; @kubernetes-models/validate, their runtime; yaml), each
# checked against the integrity hash pinned there, and runs no install scripts.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
pinned="$root/Deploy/scripts/kube-validate"
target="$root/.tools/kube-validate"
validator="$root/Deploy/scripts/validate-k8s.mjs"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "ensure-kube-validate.sh: node and npm are needed (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi

# Already installed from this very lock file: nothing to do (the copy of the lock file records it).
if cmp -s "$pinned/package-lock.json" "$target/package-lock.json" && node "$validator" --version >/dev/null 2>&1; then
  echo "$validator"
  exit 0
fi

echo "installing the Kubernetes schema validator from npm into $target..." >&2
rm -rf "$target"
mkdir -p "$target"
cp "$pinned/package.json" "$pinned/package-lock.json" "$target/"
# The packages declare node >= 22 but run on node 20 (Debian 13's): only the engine field is
# newer. --engine-strict stays off so npm warns instead of refusing; validate-k8s.mjs --version
# below proves they load.
(cd "$target" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
node "$validator" --version >&2
echo "$validator"
