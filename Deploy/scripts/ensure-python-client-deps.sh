#!/usr/bin/env bash
# Makes sure Debian's python3 (/usr/bin/python3) has what the Python client (clients/python) and its
# tests need: grpcio, protobuf, numpy and pytest, plus pandas and torch for the optional parts.
# Installs the missing apt packages only, and only as root; does nothing when they are all there. Used by CI (.ci/run)
# before the tests, so that tests/PythonClient.Tests runs instead of skipping.
set -euo pipefail

# package:module pairs, checked by importing each module with Debian's interpreter.
wanted=(python3-grpcio:grpc python3-protobuf:google.protobuf python3-numpy:numpy python3-pytest:pytest
        python3-pandas:pandas python3-torch:torch)
python=/usr/bin/python3

missing=()
for pair in "${wanted[@]}"; do
  package=${pair%%:*} module=${pair#*:}
  if ! [ -x "$python" ] || ! "$python" -c "import $module" >/dev/null 2>&1; then missing+=("$package"); fi
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-python-client-deps.sh: no apt-get here; install ${missing[*]} (or pip install './clients/python[pandas,test]') yourself" >&2
  exit 1
fi
# Only as root (CI): elsewhere print the command rather than ask for a password.
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-python-client-deps.sh: missing ${missing[*]}; install them with: sudo apt-get install --no-install-recommends python3 ${missing[*]}" >&2
  exit 1
fi
echo "installing ${missing[*]} from apt..." >&2
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 "${missing[@]}" >/dev/null
"$python" -c "import grpc, google.protobuf, numpy, pytest"
