#!/usr/bin/env bash
# Runs every test of the solution. Needs only the .NET 10 SDK and the NuGet registry; the build
# itself fixes TorchSharp's native library for Debian 12 (see build/TorchSharpNativeFix.targets).
# -m:1: one test assembly at a time. The cluster, process and bench tests each want both cores of a
# small machine and set libtorch's threads; two assemblies at once would starve each other's timeouts.
set -euo pipefail
cd "$(dirname "$0")"
exec dotnet test Cluster.sln -c Release -m:1 "$@"
