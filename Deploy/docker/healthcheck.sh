#!/usr/bin/env bash
# Container health check of both images: GET /healthz on the process's metrics port must answer
# 200. Uses bash's /dev/tcp so the images need neither curl nor wget.
# Port: the first argument, else METACLUSTER_HEALTH_PORT (set by each Dockerfile to the default
# --metrics-port; override it when the process runs with another one).
set -euo pipefail
port="${1:-${METACLUSTER_HEALTH_PORT:?set METACLUSTER_HEALTH_PORT or pass the port}}"
exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
# Status line: HTTP/1.1 200 OK
read -r -t 5 _ status _ <&3
[[ "${status}" == 200 ]]
