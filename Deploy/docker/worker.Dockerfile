# syntax=docker/dockerfile:1.7
#
# The TaskWorker image, in two flavours chosen by one build argument:
#
#   docker build -f Deploy/docker/worker.Dockerfile --build-arg TORCH_BACKEND=cpu  -t metacluster-worker:0.1.0-cpu  .
#   docker build -f Deploy/docker/worker.Dockerfile --build-arg TORCH_BACKEND=cuda -t metacluster-worker:0.1.0-cuda .
#
# TORCH_BACKEND picks both the native libtorch the worker is published with (TorchSharp-cpu or
# TorchSharp-cuda-linux, CUDA 12.8) and the runtime base (stage base-cpu or base-cuda); BuildKit
# builds only the stages the chosen one needs. libtorch ships x86-64 Linux binaries only: build
# for linux/amd64.

ARG TORCH_BACKEND=cpu
ARG DOTNET_VERSION=10.0
# libtorch-cuda carries its own CUDA runtime, cuBLAS and cuDNN (TorchSharp-cuda-linux bundles
# them), so the CUDA "base" image (driver hooks, no toolkit libraries) suffices; a
# -runtime-/-cudnn-runtime- base would only add gigabytes of second copies.
ARG CUDA_BASE_IMAGE=nvidia/cuda:12.8.1-base-ubuntu24.04

# ---- build -----------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION}-noble AS build
ARG TORCH_BACKEND
WORKDIR /src

# Restore inputs first (see coordinator.Dockerfile): every project the worker references.
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY Protos/Protos.csproj Protos/
COPY MetaLearning/MetaLearning.csproj MetaLearning/
COPY Cluster.Abstractions/Cluster.Abstractions.csproj Cluster.Abstractions/
COPY Cluster.DataPlane/Cluster.DataPlane.csproj Cluster.DataPlane/
COPY Cluster.ServiceDefaults/Cluster.ServiceDefaults.csproj Cluster.ServiceDefaults/
COPY TaskWorker.Grains/TaskWorker.Grains.csproj TaskWorker.Grains/
COPY TaskWorker/TaskWorker.csproj TaskWorker/
RUN --mount=type=cache,id=metacluster-nuget,target=/root/.nuget/packages \
    dotnet restore TaskWorker/TaskWorker.csproj -p:TorchBackend=${TORCH_BACKEND}

COPY . .
RUN --mount=type=cache,id=metacluster-nuget,target=/root/.nuget/packages \
    dotnet publish TaskWorker/TaskWorker.csproj -c Release -o /app -p:TorchBackend=${TORCH_BACKEND}

# ---- runtime bases ---------------------------------------------------------------------------
# cpu: the stock ASP.NET Core runtime (the worker serves /healthz and /metrics over HTTP).
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}-noble AS base-cpu

# cuda: NVIDIA's Ubuntu 24.04 base with the same .NET runtime copied in from the official image
# (same Ubuntu release, so the runtime's native dependencies match).
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}-noble AS dotnet-runtime

FROM ${CUDA_BASE_IMAGE} AS base-cuda
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        ca-certificates libc6 libgcc-s1 libicu74 libssl3t64 libstdc++6 tzdata \
 && rm -rf /var/lib/apt/lists/*
COPY --from=dotnet-runtime /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV DOTNET_ROOT=/usr/share/dotnet \
    DOTNET_RUNNING_IN_CONTAINER=true

# ---- runtime ---------------------------------------------------------------------------------
FROM base-${TORCH_BACKEND} AS runtime
ARG TORCH_BACKEND
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="metacluster-worker" \
      org.opencontainers.image.description="Meta-training cluster TaskWorker: hosts worker grains that run inner loops with TorchSharp (${TORCH_BACKEND})" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      io.metacluster.component="worker" \
      io.metacluster.torch-backend="${TORCH_BACKEND}"

# Non-root uid 10001, as in coordinator.Dockerfile; its home holds .NET and CUDA caches.
RUN groupadd --system --gid 10001 metacluster \
 && useradd --system --uid 10001 --gid metacluster --create-home --home-dir /home/metacluster \
            --shell /usr/sbin/nologin metacluster

WORKDIR /app
COPY --from=build /app ./
COPY --chmod=0755 Deploy/docker/healthcheck.sh /usr/local/bin/metacluster-healthcheck

ENV ASPNETCORE_HTTP_PORTS= \
    DOTNET_NOLOGO=1 \
    METACLUSTER_HEALTH_PORT=9465

USER 10001:10001
# Orleans silo, metrics and /healthz.
EXPOSE 11112 9465

# libtorch and CUDA initialisation take a while on first start.
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
    CMD ["/usr/local/bin/metacluster-healthcheck"]

# SIGTERM makes the worker finish or hand back its shard, then leave: give it time
# (docker stop -t 60, Kubernetes terminationGracePeriodSeconds >= 60).
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "/app/TaskWorker.dll"]
