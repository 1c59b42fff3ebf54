#!/usr/bin/env bash
# Builds (and with --push, pushes) the cluster's images with the tags the Helm chart expects:
#   REGISTRY/metacluster-coordinator:VERSION
#   REGISTRY/metacluster-worker:VERSION-cpu   and/or   REGISTRY/metacluster-worker:VERSION-cuda
# VERSION defaults to appVersion in helm/metacluster/Chart.yaml, which is also the chart's default
# image tag, so `helm install --set image.registry=REGISTRY` finds them.
#
# usage: Deploy/build-images.sh [--push] [--backend cpu|cuda|all] [--version V] [REGISTRY]
#   REGISTRY  e.g. registry.example.com/ml; empty: local names (kind load / minikube image load)
set -euo pipefail

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }

root="$(cd "$(dirname "$0")/.." && pwd)"
push=false
backend=all
version=""
registry=""
while [ $# -gt 0 ]; do
  case "$1" in
    --push) push=true ;;
    --backend) backend="${2:?--backend needs cpu, cuda or all}"; shift ;;
    --version) version="${2:?--version needs a value}"; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "error: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) [ -z "$registry" ] || { echo "error: more than one registry given: '$registry', '$1'" >&2; exit 2; }
       registry="$1" ;;
  esac
  shift
done
case "$backend" in
  cpu) backends=(cpu) ;;
  cuda) backends=(cuda) ;;
  all) backends=(cpu cuda) ;;
  *) echo "error: --backend must be cpu, cuda or all, not '$backend'" >&2; exit 2 ;;
esac
if [ -z "$version" ]; then
  version="$(sed -n 's/^appVersion:[[:space:]]*"\{0,1\}\([^"[:space:]]*\)"\{0,1\}.*$/\1/p' "$root/helm/metacluster/Chart.yaml")"
  [ -n "$version" ] || { echo "error: no appVersion in helm/metacluster/Chart.yaml" >&2; exit 1; }
fi
if $push && [ -z "$registry" ]; then
  echo "error: --push needs a REGISTRY" >&2; exit 2
fi

prefix="${registry:+${registry%/}/}"
revision="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"

build() { # dockerfile tag [build-arg...]
  local dockerfile="$1" tag="$2"; shift 2
  echo "==> $tag"
  # libtorch ships x86-64 Linux binaries only.
  docker build --platform linux/amd64 -f "$root/$dockerfile" -t "$tag" \
    --build-arg "VERSION=$version" --build-arg "REVISION=$revision" "$@" "$root"
  if $push; then docker push "$tag"; fi
}

build Deploy/docker/coordinator.Dockerfile "${prefix}metacluster-coordinator:${version}"
for b in "${backends[@]}"; do
  build Deploy/docker/worker.Dockerfile "${prefix}metacluster-worker:${version}-${b}" --build-arg "TORCH_BACKEND=$b"
done
