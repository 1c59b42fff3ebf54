using System.CommandLine;
using System.Net;
using MetaCluster.Coordinator.Definitions;
using MetaCluster.ServiceDefaults.Hosting;
using MetaCluster.ServiceDefaults.Options;
using static MetaCluster.ServiceDefaults.Options.CheckedOptions;

namespace MetaCluster.Coordinator.Cli;

/// <summary><c>serve</c>: a long-running coordinator (silo, public gRPC API, data plane) that TaskWorker processes join.</summary>
public sealed class ServeCommand : IVerb
{
    private readonly Option<string> redis = new("--redis") { Description = "the cluster's membership store", HelpName = "HOST:PORT", Required = true };
    private readonly Option<string> api = Text("--api", "URL the public gRPC API listens on", "http://127.0.0.1:7100", "URL");
    private readonly Option<string> clusterId = Text("--cluster-id", "Orleans cluster id", "default", "ID");
    private readonly Option<string[]> dataRoots = Repeatable("--data-root", "a directory under which data paths given through the API must lie", "DIR");
    private readonly Option<string?> token = OptionalText("--token", "bearer token of users: every public API call must carry it", "T", "CLUSTER_TOKEN");
    private readonly Option<string?> workerToken = OptionalText("--worker-token",
        "bearer token of workers: the data plane and worker admission need it, and it cannot call the public API (TaskWorker --token)", "T", "CLUSTER_WORKER_TOKEN, else --token");
    private readonly Option<string?> tlsCert = OptionalText("--tls-cert", "PEM certificate of an https:// --api", "FILE");
    private readonly Option<string?> tlsKey = OptionalText("--tls-key", "PEM key of --tls-cert", "FILE");
    private readonly Option<string?> tlsClientCa = OptionalText("--tls-client-ca", "PEM authority whose client certificates are accepted (mTLS)", "FILE");
    private readonly Option<int> siloPort = Int("--silo-port", "Orleans silo port", 11111, 0, 65535, "PORT");
    private readonly Option<int> gatewayPort = Int("--gateway-port", "Orleans gateway port (0: none)", 0, 0, 65535, "PORT");
    private readonly Option<string?> advertiseAddress = OptionalText("--advertise-address", "address other silos reach this one at", "IP", "POD_IP, else 127.0.0.1 on loopback, else the host name");
    private readonly Option<string?> dataPlaneUrl = OptionalText("--data-plane-url", "URL workers reach the data plane at", "URL", "--api's");
    private readonly Option<int> metricsPort = Int("--metrics-port", "port of /metrics and /healthz (0: a free one)", 9464, 0, 65535, "PORT");
    private readonly Option<string> stateDir = Text("--state-dir", "where run directories and records are kept", "cluster-state", "DIR");
    private readonly Option<int> maxTasksPerStep = Int("--max-tasks-per-step", "largest meta-batch a run may ask for", RunLimits.Default.MaxTasksPerStep, 1, 10_000_000);
    private readonly Option<int> maxShards = Int("--max-shards", "most shards per step a run may ask for", RunLimits.Default.MaxShards, 1, 1_000_000);
    private readonly Option<int> runMemoryBudget = Int("--run-memory-budget-mb", "memory a run's step may need on the coordinator", (int)(RunLimits.Default.MemoryBudgetBytes >> 20), 1, int.MaxValue, "MB");
    private readonly Option<bool> traceConsole = Switch("--trace-console", "print spans");

    /// <inheritdoc />
    public int Order => 30;

    /// <inheritdoc />
    public Command Create()
    {
        var command = new Command("serve", "run a long-lived coordinator (silo + public gRPC API) that TaskWorker processes join");
        foreach (var option in new Option[] { redis, api, clusterId, dataRoots, token, workerToken, tlsCert, tlsKey, tlsClientCa, siloPort, gatewayPort, advertiseAddress,
                     dataPlaneUrl, metricsPort, stateDir, maxTasksPerStep, maxShards, runMemoryBudget, traceConsole })
            command.Options.Add(option);
        command.SetAction(async (result, cancellationToken) =>
        {
            var options = Read(result);
            var app = Hosting.CoordinatorServer.Build(options);
            await app.StartAsync(cancellationToken);
            result.InvocationConfiguration.Output.WriteLine($"coordinator serving on {options.Api} (data plane {options.DataPlaneUrl}, state {options.StateDirectory})");
            await app.WaitForShutdownAsync(cancellationToken);
            return 0;
        });
        return command;
    }

    /// <summary>Reads and checks the options; refuses an open non-loopback binding.</summary>
    public ServeOptions Read(ParseResult o)
    {
        string apiText = o.GetValue(api)!;
        if (!Uri.TryCreate(apiText, UriKind.Absolute, out var apiUri) || apiUri.Scheme is not ("http" or "https") || apiUri.IsDefaultPort && !apiText.Contains(':', StringComparison.Ordinal))
            throw new UsageException($"--api must be a URL like http://127.0.0.1:7100; got '{apiText}'");
        string? apiToken = o.GetValue(token) ?? Environment.GetEnvironmentVariable("CLUSTER_TOKEN");
        if (string.IsNullOrEmpty(apiToken)) apiToken = null;
        string? workersToken = o.GetValue(workerToken) ?? Environment.GetEnvironmentVariable("CLUSTER_WORKER_TOKEN");
        if (string.IsNullOrEmpty(workersToken)) workersToken = null;
        if (workersToken is not null && apiToken is null) throw new UsageException("--worker-token needs --token: the users' token, which must differ from it");
        if (workersToken is not null && workersToken == apiToken) throw new UsageException("--worker-token must differ from --token: one token for both roles is what leaving it out gives");
        string? cert = o.GetValue(tlsCert), key = o.GetValue(tlsKey), clientCa = o.GetValue(tlsClientCa);
        if ((cert is null) != (key is null)) throw new UsageException("--tls-cert and --tls-key go together");
        if (cert is not null && apiUri.Scheme != "https") throw new UsageException("--tls-cert needs an https:// --api");
        if (apiUri.Scheme == "https" && cert is null) throw new UsageException("an https:// --api needs --tls-cert and --tls-key");
        foreach (var (name, path) in new[] { ("tls-cert", cert), ("tls-key", key), ("tls-client-ca", clientCa) })
            if (path is not null && !File.Exists(path)) throw new UsageException($"--{name}: no file '{path}'");
        bool loopback = NetworkAddresses.IsLoopback(apiUri.Host);
        if (!loopback && apiToken is null && clientCa is null)
            throw new UsageException($"--api {apiText} is not a loopback address: give --token (or CLUSTER_TOKEN) or --tls-cert/--tls-key/--tls-client-ca so the API is not open");

        string advertiseText = o.GetValue(advertiseAddress) ?? Environment.GetEnvironmentVariable("POD_IP")
            ?? (loopback ? "127.0.0.1" : Dns.GetHostName());
        var advertise = NetworkAddresses.Parse(advertiseText, "advertise-address");
        string dataPlane = o.GetValue(dataPlaneUrl)
            ?? new UriBuilder(apiUri) { Host = apiUri.Host is "0.0.0.0" or "[::]" or "::" ? advertise.ToString() : apiUri.Host }.Uri.ToString().TrimEnd('/');
        var roots = o.GetValue(dataRoots)!.Select(Path.GetFullPath).ToArray();
        foreach (var root in roots)
            if (!Directory.Exists(root)) throw new UsageException($"--data-root: no directory '{root}'");

        // A port already taken fails here, in one line, rather than as a silo declared dead or a Kestrel stack trace.
        int silo = o.GetValue(siloPort), metrics = o.GetValue(metricsPort);
        FreePorts.RequireFree(silo, IPAddress.IsLoopback(advertise) ? advertise : IPAddress.Any, "silo-port");
        FreePorts.RequireFree(metrics, IPAddress.Any, "metrics-port");
        return new ServeOptions(
            new ClusterMembershipSettings(o.GetValue(redis)!, o.GetValue(clusterId)!, silo, advertise, o.GetValue(gatewayPort)),
            apiUri, apiToken, cert, key, clientCa, dataPlane, metrics,
            Path.GetFullPath(o.GetValue(stateDir)!), roots, o.GetValue(traceConsole),
            new RunLimits(o.GetValue(maxTasksPerStep), o.GetValue(maxShards), MemoryBudgetBytes: (long)o.GetValue(runMemoryBudget) << 20), workersToken);
    }
}
