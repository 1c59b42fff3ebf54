# syntax=docker/dockerfile:1.7
#
# The coordinator image: `Coordinator serve …` (Orleans silo, public gRPC API + gRPC health,
# data plane, Prometheus metrics). Built from the repository root:
#
#   docker build -f Deploy/docker/coordinator.Dockerfile -t metacluster-coordinator:0.1.0 .
#
# libtorch ships x86-64 Linux binaries only: build for linux/amd64 (add --platform linux/amd64
# on an arm64 machine).

ARG DOTNET_VERSION=10.0

# ---- build: restore from the project files only, then publish --------------------------------
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION}-noble AS build
WORKDIR /src

# The files that decide the restore come first, so a source change reuses the restore layer
# instead of fetching libtorch (~600 MB) again. Every project the coordinator references is
# listed here (tests/Deploy checks it against the ProjectReference graph).
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY Protos/Protos.csproj Protos/
COPY MetaLearning/MetaLearning.csproj MetaLearning/
COPY Cluster.Abstractions/Cluster.Abstractions.csproj Cluster.Abstractions/
COPY Cluster.DataPlane/Cluster.DataPlane.csproj Cluster.DataPlane/
COPY Cluster.ServiceDefaults/Cluster.ServiceDefaults.csproj Cluster.ServiceDefaults/
COPY Coordinator.Grains/Coordinator.Grains.csproj Coordinator.Grains/
COPY TaskWorker.Grains/TaskWorker.Grains.csproj TaskWorker.Grains/
COPY Cluster.Embedded/Cluster.Embedded.csproj Cluster.Embedded/
COPY Coordinator/Coordinator.csproj Coordinator/
RUN --mount=type=cache,id=metacluster-nuget,target=/root/.nuget/packages \
    dotnet restore Coordinator/Coordinator.csproj -p:TorchBackend=cpu

COPY . .
# Publish restores again (a no-op when the packages are there): the cache mount may have been
# pruned while the restore layer above was kept. The build's TorchSharpNativeFix step patches
# libLibTorchSharp.so in /app as part of the publish.
RUN --mount=type=cache,id=metacluster-nuget,target=/root/.nuget/packages \
    dotnet publish Coordinator/Coordinator.csproj -c Release -o /app -p:TorchBackend=cpu

# ---- runtime ---------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}-noble AS runtime
ARG DOTNET_VERSION
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="metacluster-coordinator" \
      org.opencontainers.image.description="Meta-training cluster coordinator: Orleans silo, public gRPC API and data plane (Coordinator serve)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}-noble" \
      io.metacluster.component="coordinator"

# A fixed non-root uid, so that Kubernetes' runAsNonRoot can check it and volume ownership is
# predictable; its home holds .NET's caches (the chart, whose root file system is read-only,
# sets HOME=/tmp). /app/runs is where the coordinator writes run directories and checkpoints
# (relative `runs/`); mount a volume there to keep them across restarts.
RUN groupadd --system --gid 10001 metacluster \
 && useradd --system --uid 10001 --gid metacluster --create-home --home-dir /home/metacluster \
            --shell /usr/sbin/nologin metacluster \
 && install -d -o 10001 -g 10001 -m 0750 /app/runs

WORKDIR /app
# Owned by root and read-only to the process: the app cannot rewrite its own binaries.
COPY --from=build /app ./
COPY --chmod=0755 Deploy/docker/healthcheck.sh /usr/local/bin/metacluster-healthcheck

# The aspnet base image listens on :8080 by default; the process binds only what its flags say
# (--api, --metrics-port), so nothing is left open without the token.
# Idle thread-pool threads block at once instead of spinning: a coordinator that waits on its
# workers' sockets burnt about 1 ms of CPU per meta-step spinning (bench/results/capacity-replay-20261201).
ENV ASPNETCORE_HTTP_PORTS= \
    DOTNET_NOLOGO=1 \
    DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 \
    METACLUSTER_HEALTH_PORT=9464

USER 10001:10001
# API (gRPC + health + data plane), Orleans silo, Orleans gateway, metrics and /healthz.
EXPOSE 7100 11111 30000 9464

HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/usr/local/bin/metacluster-healthcheck"]

ENTRYPOINT ["dotnet", "/app/Coordinator.dll"]
CMD ["help"]
