using System.Text.RegularExpressions;
using MetaCluster.ServiceDefaults.Options;
using MetaCluster.ServiceDefaults.Hosting;

namespace MetaCluster.TaskWorker.Hosting;

/// <summary>Options of the TaskWorker executable.</summary>
public sealed partial record WorkerCommandLine(ClusterMembershipSettings Membership, WorkerOptions Workers, int MetricsPort, bool ConsoleTraces = false)
{
    private static readonly string[] Valued = ["redis", "device", "cluster-id", "token", "workers", "threads", "silo-port", "advertise-address", "metrics-port", "data-root", "relay-port"];

    /// <summary>Reads the options; throws <see cref="UsageException"/> naming the first bad one.</summary>
    public static WorkerCommandLine Parse(IEnumerable<string> args)
    {
        var o = new OptionReader(args, Valued, ["trace-console"]);
        string redis = o.OptionalString("redis") ?? throw new UsageException("--redis HOST:PORT is required: the cluster's membership store");
        string device = o.String("device", "cpu");
        if (!DevicePattern().IsMatch(device)) throw new UsageException($"--device must be cpu or cuda:N; got '{device}'");
        string advertise = o.OptionalString("advertise-address") ?? Environment.GetEnvironmentVariable("POD_IP") ?? "127.0.0.1";
        var address = NetworkAddresses.Parse(advertise, "advertise-address");
        string? token = o.OptionalString("token") ?? Environment.GetEnvironmentVariable("CLUSTER_TOKEN");
        if (!System.Net.IPAddress.IsLoopback(address) && string.IsNullOrEmpty(token))
            throw new UsageException($"--advertise-address {address} is not loopback: give --token (or CLUSTER_TOKEN) so the data plane is not open");
        var membership = new ClusterMembershipSettings(redis, o.String("cluster-id", "default"), o.Int("silo-port", 11112, 0, 65535), address);
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
        };
        return new WorkerCommandLine(membership, workers, o.Int("metrics-port", 9465, 0, 65535), o.Switch("trace-console"));
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
