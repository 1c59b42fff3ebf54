#!/usr/bin/env bash
# Writes the GPU device bundle into DIR (default .gpu-bundle): what a GPU machine with CUDA, CMake,
# a C++ compiler and Python's torch, but no .NET and no internet, needs to run this repository's
# device checks (Deploy/gpu/run.sh; see docs/gpu.md):
#   DIR/app.tar.xz    self-contained linux-x64 publish of Coordinator (train) and Bench, one folder,
#                     built with -p:TorchBackend=none: TorchSharp's managed code and its shim
#                     libLibTorchSharp.so (linked against libtorch 2.10), but no libtorch at all:
#                     the device brings its own (Python torch's lib/, through LD_LIBRARY_PATH)
#   DIR/native/       TorchSharp 0.107.0's shim sources and our CMakeLists (Deploy/gpu/native)
#   DIR/data/omniglot the two Omniglot zips, when found (shared/data/omniglot above the repository)
#   DIR/run.sh        the device script; DIR/bundle.json what went in and the sizes
# Usage: Deploy/gpu/bundle.sh [DIR] [--no-publish APPDIR]   (the second form packs an existing publish)
# Exit codes: 0 written, 1 a step failed, 2 usage, 3 over the size limit (BUNDLE_LIMIT_MIB, default 64).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/.gpu-bundle"
app=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-publish) app="${2:?--no-publish needs the publish folder}"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "bundle.sh: unknown option $1" >&2; exit 2 ;;
    *) out="$1"; shift ;;
  esac
done
limit_mib=${BUNDLE_LIMIT_MIB:-64}
for tool in tar xz; do
  command -v "$tool" >/dev/null || { echo "bundle.sh: $tool is missing" >&2; exit 1; }
done

mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/native" "$out/data" "$out/app.tar.xz" "$out/run.sh" "$out/bundle.json" "$out/app"

if [ -z "$app" ]; then
  command -v dotnet >/dev/null || { echo "bundle.sh: dotnet is missing" >&2; exit 1; }
  app="$root/.bundle-build/app"
  rm -rf "$app"
  # Both executables into one folder: one runtime, one TorchSharp; each keeps its own deps.json.
  # Not trimmed: Orleans, System.Text.Json and TorchSharp find types by reflection.
  for project in Coordinator/Coordinator.csproj bench/Bench/Bench.csproj; do
    dotnet publish "$root/$project" -c Release -r linux-x64 --self-contained true \
      -p:TorchBackend=none -p:InvariantGlobalization=true -p:PublishReadyToRun=false \
      -p:DebugType=none -p:GenerateDocumentationFile=false \
      -o "$app" -nologo -v q
  done
fi
[ -f "$app/Coordinator" ] && [ -f "$app/Bench" ] || { echo "bundle.sh: $app holds no Coordinator and Bench executables" >&2; exit 1; }
[ -f "$app/libLibTorchSharp.so" ] || { echo "bundle.sh: $app has no libLibTorchSharp.so" >&2; exit 1; }
# Whatever libtorch a restore brought along stays out: the device's must be the one loaded.
leftover=$(cd "$app" && ls libtorch*.so libc10*.so 2>/dev/null || true)
[ -z "$leftover" ] || { echo "bundle.sh: the publish holds libtorch libraries ($leftover); publish with -p:TorchBackend=none" >&2; exit 1; }

tar -C "$app" -cf - . | xz -T0 -6 > "$out/app.tar.xz"
cp -r "$here/native" "$out/native"
cp "$here/run.sh" "$out/run.sh"
chmod +x "$out/run.sh"
omniglot=""
for dir in "$root/.." "$root/../.." "$root"; do
  if [ -f "$dir/shared/data/omniglot/images_background_small1.zip" ]; then omniglot="$dir/shared/data/omniglot"; break; fi
done
if [ -n "$omniglot" ]; then
  mkdir -p "$out/data/omniglot"
  cp "$omniglot"/images_background_small*.zip "$omniglot"/LICENSE "$out/data/omniglot/" 2>/dev/null || true
fi

app_bytes=$(du -sb "$app" | cut -f1)
total_bytes=$(du -sb "$out" | cut -f1)
commit=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
cat > "$out/bundle.json" <<EOF
{"commit": "$commit", "app_bytes_unpacked": $app_bytes, "bundle_bytes": $total_bytes,
 "limit_bytes": $((limit_mib * 1024 * 1024)), "omniglot": $([ -n "$omniglot" ] && echo true || echo false)}
EOF
echo "bundle $out: $((total_bytes / 1024 / 1024)) MiB (the app unpacked: $((app_bytes / 1024 / 1024)) MiB; limit $limit_mib MiB)"
if [ "$total_bytes" -gt $((limit_mib * 1024 * 1024)) ]; then
  echo "bundle.sh: the bundle is over $limit_mib MiB" >&2
  exit 3
fi
