using System.Net;
using System.Text.RegularExpressions;
using MetaCluster.ServiceDefaults.Options;
using MetaCluster.ServiceDefaults.Hosting;

namespace MetaCluster.TaskWorker.Hosting;

/// <summary>Options of the TaskWorker executable.</summary>
public sealed partial record WorkerCommandLine(ClusterMembershipSettings Membership, WorkerOptions Workers, int MetricsPort, bool ConsoleTraces = false)
{
    private static readonly string[] Valued =
        ["redis", "device", "cluster-id", "token", "workers", "threads", "silo-port", "advertise-address", "metrics-port", "data-root", "relay-port",
         "tls-client-cert", "tls-client-key", "tls-ca"];

    /// <summary>The address the metrics port and the silo listen on: the advertised one on loopback, else every interface.</summary>
    public IPAddress BindAddress => IPAddress.IsLoopback(Membership.AdvertiseAddress) ? Membership.AdvertiseAddress : IPAddress.Any;

    /// <summary>
    /// Reads the options; throws <see cref="UsageException"/> naming the first bad one. A silo or
    /// metrics port left out is a free one, so that several workers (one per GPU) share a host; a
    /// port given and already taken fails here, at once.
    /// </summary>
    public static WorkerCommandLine Parse(IEnumerable<string> args)
    {
        var o = new OptionReader(args, Valued, ["trace-console"]);
        string redis = o.OptionalString("redis") ?? throw new UsageException("--redis HOST:PORT is required: the cluster's membership store");
        string device = o.String("device", "cpu");
        if (!DevicePattern().IsMatch(device)) throw new UsageException($"--device must be cpu or cuda:N; got '{device}'");
        string advertise = o.OptionalString("advertise-address") ?? Environment.GetEnvironmentVariable("POD_IP") ?? "127.0.0.1";
        var address = NetworkAddresses.Parse(advertise, "advertise-address");
        string? token = o.OptionalString("token") ?? Environment.GetEnvironmentVariable("CLUSTER_TOKEN");
        if (!IPAddress.IsLoopback(address) && string.IsNullOrEmpty(token))
            throw new UsageException($"--advertise-address {address} is not loopback: give --token (or CLUSTER_TOKEN) so the data plane is not open");
        var bind = IPAddress.IsLoopback(address) ? address : IPAddress.Any;
        int siloPort = Port(o, "silo-port", bind);
        int metricsPort = Port(o, "metrics-port", bind);
        string? cert = o.OptionalString("tls-client-cert"), key = o.OptionalString("tls-client-key"), ca = o.OptionalString("tls-ca");
        if ((cert is null) != (key is null)) throw new UsageException("--tls-client-cert and --tls-client-key go together");
        foreach (var (name, path) in new[] { ("tls-client-cert", cert), ("tls-client-key", key), ("tls-ca", ca) })
            if (path is not null && !File.Exists(path)) throw new UsageException($"--{name}: no file '{path}'");
        var membership = new ClusterMembershipSettings(redis, o.String("cluster-id", "default"), siloPort, address);
        var workers = new WorkerOptions
        {
            Device = device == "cuda" ? "cuda:0" : device,
            Workers = o.Int("workers", 1, 1, 256),
            Threads = o.Int("threads", 0, 0, 1024),
            Token = string.IsNullOrEmpty(token) ? null : token,
            WorkerIdPrefix = $"{Environment.MachineName}-{Environment.ProcessId}",
            RelayPort = o.Int("relay-port", 0, -1, 65535),
            RelayAddress = address,
            DataRoots = o.Has("data-root") ? DataRootOption(o.All("data-root")) : null,
            TlsClientCertificate = cert,
            TlsClientKey = key,
            TlsCa = ca,
        };
        return new WorkerCommandLine(membership, workers, metricsPort, o.Switch("trace-console"));
    }

    // Given: checked free now. Left out: a free one (not a fixed default two workers would share).
    private static int Port(OptionReader o, string name, IPAddress bind)
    {
        if (!o.Has(name)) return FreePorts.Next(bind);
        int port = o.Int(name, 0, 0, 65535);
        FreePorts.RequireFree(port, bind, name);
        return port;
    }

    private static string[] DataRootOption(IEnumerable<string> roots)
    {
        var full = roots.Select(Path.GetFullPath).ToArray();
        foreach (var root in full)
            if (!Directory.Exists(root)) throw new UsageException($"--data-root: no directory '{root}'");
        return full;
    }

    [GeneratedRegex("^(cpu|cuda(:[0-9]+)?)$")]
    private static partial Regex DevicePattern();
}
