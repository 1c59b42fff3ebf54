#!/usr/bin/env bash
# Runs every test of the solution. Needs only the .NET 10 SDK and the NuGet registry; the build
# itself fixes TorchSharp's native library for Debian 12 (see build/TorchSharpNativeFix.targets).
set -euo pipefail
cd "$(dirname "$0")"
exec dotnet test Cluster.sln -c Release "$@"
