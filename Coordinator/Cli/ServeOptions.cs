using System.Net;
using MetaCluster.ServiceDefaults.Options;
using MetaCluster.Coordinator.Definitions;
using MetaCluster.ServiceDefaults.Hosting;

namespace MetaCluster.Coordinator.Cli;

/// <summary>Options of <c>serve</c>.</summary>
public sealed record ServeOptions(
    ClusterMembershipSettings Membership, Uri Api, string? Token, string? TlsCertificate, string? TlsKey, string? TlsClientCa,
    string DataPlaneUrl, int MetricsPort, string StateDirectory, IReadOnlyList<string> DataRoots, bool ConsoleTraces = false, RunLimits? Limits = null)
{
    private static readonly string[] Valued =
        ["redis", "api", "cluster-id", "data-root", "token", "tls-cert", "tls-key", "tls-client-ca", "silo-port", "gateway-port", "advertise-address", "data-plane-url", "metrics-port", "state-dir",
         "max-tasks-per-step", "max-shards", "run-memory-budget-mb"];

    /// <summary>Reads and checks the options; refuses an open non-loopback binding.</summary>
    public static ServeOptions Parse(IEnumerable<string> args)
    {
        var o = new OptionReader(args, Valued, ["trace-console"]);
        string redis = o.OptionalString("redis") ?? throw new UsageException("--redis HOST:PORT is required: the cluster's membership store");
        string apiText = o.String("api", "http://127.0.0.1:7100");
        if (!Uri.TryCreate(apiText, UriKind.Absolute, out var api) || api.Scheme is not ("http" or "https") || api.IsDefaultPort && !apiText.Contains(':', StringComparison.Ordinal))
            throw new UsageException($"--api must be a URL like http://127.0.0.1:7100; got '{apiText}'");
        string? token = o.OptionalString("token") ?? Environment.GetEnvironmentVariable("CLUSTER_TOKEN");
        if (string.IsNullOrEmpty(token)) token = null;
        string? cert = o.OptionalString("tls-cert"), key = o.OptionalString("tls-key"), clientCa = o.OptionalString("tls-client-ca");
        if ((cert is null) != (key is null)) throw new UsageException("--tls-cert and --tls-key go together");
        if (cert is not null && api.Scheme != "https") throw new UsageException("--tls-cert needs an https:// --api");
        if (api.Scheme == "https" && cert is null) throw new UsageException("an https:// --api needs --tls-cert and --tls-key");
        foreach (var (name, path) in new[] { ("tls-cert", cert), ("tls-key", key), ("tls-client-ca", clientCa) })
            if (path is not null && !File.Exists(path)) throw new UsageException($"--{name}: no file '{path}'");
        bool loopback = NetworkAddresses.IsLoopback(api.Host);
        if (!loopback && token is null && clientCa is null)
            throw new UsageException($"--api {apiText} is not a loopback address: give --token (or CLUSTER_TOKEN) or --tls-cert/--tls-key/--tls-client-ca so the API is not open");

        string advertiseText = o.OptionalString("advertise-address") ?? Environment.GetEnvironmentVariable("POD_IP")
            ?? (loopback ? "127.0.0.1" : Dns.GetHostName());
        var advertise = NetworkAddresses.Parse(advertiseText, "advertise-address");
        string dataPlane = o.OptionalString("data-plane-url")
            ?? new UriBuilder(api) { Host = api.Host is "0.0.0.0" or "[::]" or "::" ? advertise.ToString() : api.Host }.Uri.ToString().TrimEnd('/');
        var roots = o.All("data-root").Select(Path.GetFullPath).ToArray();
        foreach (var root in roots)
            if (!Directory.Exists(root)) throw new UsageException($"--data-root: no directory '{root}'");

        // A port already taken fails here, in one line, rather than as a silo declared dead or a Kestrel stack trace.
        int siloPort = o.Int("silo-port", 11111, 0, 65535), metricsPort = o.Int("metrics-port", 9464, 0, 65535);
        FreePorts.RequireFree(siloPort, IPAddress.IsLoopback(advertise) ? advertise : IPAddress.Any, "silo-port");
        FreePorts.RequireFree(metricsPort, IPAddress.Any, "metrics-port");
        return new ServeOptions(
            new ClusterMembershipSettings(redis, o.String("cluster-id", "default"), siloPort, advertise, o.Int("gateway-port", 0, 0, 65535)),
            api, token, cert, key, clientCa, dataPlane, metricsPort,
            Path.GetFullPath(o.String("state-dir", "cluster-state")), roots, o.Switch("trace-console"),
            new RunLimits(o.Int("max-tasks-per-step", RunLimits.Default.MaxTasksPerStep, 1, 10_000_000), o.Int("max-shards", RunLimits.Default.MaxShards, 1, 1_000_000),
                MemoryBudgetBytes: (long)o.Int("run-memory-budget-mb", (int)(RunLimits.Default.MemoryBudgetBytes >> 20), 1, int.MaxValue) << 20));
    }
}
