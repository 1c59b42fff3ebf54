using System.CommandLine;
using System.Net;
using System.Text.RegularExpressions;
using MetaCluster.Learning.Devices;
using MetaCluster.ServiceDefaults.Hosting;
using MetaCluster.ServiceDefaults.Options;
using static MetaCluster.ServiceDefaults.Options.CheckedOptions;

namespace MetaCluster.TaskWorker.Hosting;

/// <summary>
/// Options of the TaskWorker executable (<c>TaskWorker --redis HOST:PORT --device cpu|cuda:N …</c>),
/// with <c>--help</c> and <c>--version</c>; bad input is one line and exit code 2.
/// </summary>
public sealed partial record WorkerCommandLine(ClusterMembershipSettings Membership, WorkerOptions Workers, int MetricsPort, bool ConsoleTraces = false)
{
    /// <summary>The address the metrics port and the silo listen on: the advertised one on loopback, else every interface.</summary>
    public IPAddress BindAddress => IPAddress.IsLoopback(Membership.AdvertiseAddress) ? Membership.AdvertiseAddress : IPAddress.Any;

    /// <summary>Parses <paramref name="args"/> and runs the worker host until SIGTERM; returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors) =>
        CommandLineRunner.RunAsync(CreateCommand(), args, output, errors);

    /// <summary>The executable's root command: its options, help, version, and the action that hosts the workers.</summary>
    public static RootCommand CreateCommand() => new Definitions().Create();

    /// <summary>The options, their help, and the action that hosts the workers.</summary>
    private sealed class Definitions
    {
        private readonly Option<string> redis = new("--redis") { Description = "the cluster's membership store", HelpName = "HOST:PORT", Required = true };
        private readonly Option<string> device = Text("--device", "the device whose workers this process hosts: cpu or cuda:N", "cpu", "cpu|cuda:N");
        private readonly Option<string> clusterId = Text("--cluster-id", "Orleans cluster id", "default", "ID");
        private readonly Option<string?> token = OptionalText("--token", "bearer token of the data plane", "T", "CLUSTER_TOKEN");
        private readonly Option<int> workers = Int("--workers", "worker grains on the device", 1, 1, 256);
        private readonly Option<int> threads = Int("--threads", "libtorch intra-op threads (0: libtorch's choice)", 0, 0, 1024);
        // Left out, a port is a free one (not a fixed default two workers on one host would share); given, it must be free now.
        private readonly Option<int?> siloPort = OptionalInt("--silo-port", "Orleans silo port", 0, 65535, "PORT", "a free one");
        private readonly Option<string?> advertiseAddress = OptionalText("--advertise-address", "address other silos reach this one at", "IP", "POD_IP, else 127.0.0.1");
        private readonly Option<int?> metricsPort = OptionalInt("--metrics-port", "port of /metrics and /healthz", 0, 65535, "PORT", "a free one");
        private readonly Option<int> relayPort = Int("--relay-port", "gRPC port of the process's reduction relay (0: a free one; -1: none)", 0, -1, 65535, "PORT");
        private readonly Option<bool> traceConsole = Switch("--trace-console", "print spans");
        private readonly Option<string[]> dataRoots = Repeatable("--data-root",
            "a directory under which the data paths of runs must lie; the worker checks each path (links resolved) before opening it. Without it the worker relies on its coordinator's --data-root", "DIR");
        private readonly Option<string?> tlsClientCert = OptionalText("--tls-client-cert", "PEM client certificate presented to an mTLS coordinator", "FILE");
        private readonly Option<string?> tlsClientKey = OptionalText("--tls-client-key", "PEM key of --tls-client-cert", "FILE");
        private readonly Option<string?> tlsCa = OptionalText("--tls-ca", "PEM authority the coordinator's certificate must chain to", "FILE");

        public RootCommand Create()
        {
            var root = new RootCommand("A TaskWorker process: a silo that joins a cluster and hosts the worker grains of one device.") { HelpName = "TaskWorker" };
            foreach (var option in new Option[] { redis, device, clusterId, token, workers, threads, siloPort, advertiseAddress, metricsPort, relayPort, traceConsole, dataRoots, tlsClientCert, tlsClientKey, tlsCa })
                root.Options.Add(option);
            device.Validators.Add(r =>
            {
                if (!DevicePattern().IsMatch(r.GetValueOrDefault<string>())) r.AddError($"--device must be cpu or cuda:N; got '{r.GetValueOrDefault<string>()}'");
            });
            CommandLineRunner.VersionOf(root, typeof(WorkerCommandLine).Assembly);
            root.SetAction(async (result, _) =>
            {
                var options = Read(result);
                var app = WorkerHost.Build(options);
                await app.StartAsync();
                // The ports a worker chose for itself (free ones by default): what scrapers and probes need.
                int port = app.Urls.Select(u => new Uri(u.Replace("*", "localhost", StringComparison.Ordinal)).Port).FirstOrDefault(options.MetricsPort);
                result.InvocationConfiguration.Output.WriteLine($"worker serving: silo {options.Membership.AdvertiseAddress}:{options.Membership.SiloPort}, metrics and /healthz on port {port}");
                await app.WaitForShutdownAsync();
                return 0;
            });
            return root;
        }

        private WorkerCommandLine Read(ParseResult o)
        {
            string advertise = o.GetValue(advertiseAddress) ?? Environment.GetEnvironmentVariable("POD_IP") ?? "127.0.0.1";
            var address = NetworkAddresses.Parse(advertise, "advertise-address");
            string? bearer = o.GetValue(token) ?? Environment.GetEnvironmentVariable("CLUSTER_TOKEN");
            if (!IPAddress.IsLoopback(address) && string.IsNullOrEmpty(bearer))
                throw new UsageException($"--advertise-address {address} is not loopback: give --token (or CLUSTER_TOKEN) so the data plane is not open");
            var bind = IPAddress.IsLoopback(address) ? address : IPAddress.Any;
            string? cert = o.GetValue(tlsClientCert), key = o.GetValue(tlsClientKey), ca = o.GetValue(tlsCa);
            if ((cert is null) != (key is null)) throw new UsageException("--tls-client-cert and --tls-client-key go together");
            foreach (var (name, path) in new[] { ("tls-client-cert", cert), ("tls-client-key", key), ("tls-ca", ca) })
                if (path is not null && !File.Exists(path)) throw new UsageException($"--{name}: no file '{path}'");
            var roots = o.GetValue(dataRoots)!.Select(Path.GetFullPath).ToArray();
            foreach (var root in roots)
                if (!Directory.Exists(root)) throw new UsageException($"--data-root: no directory '{root}'");
            var membership = new ClusterMembershipSettings(o.GetValue(redis)!, o.GetValue(clusterId)!, Port(o.GetValue(siloPort), bind, "silo-port"), address);
            string deviceName = o.GetValue(device)!;
            // Decided here, from the libtorch this process loaded: a worker that cannot compute
            // on its device must not join the cluster and fail every shard it is sent.
            if (ComputeDevices.Unavailable(deviceName) is { } missing) throw new UsageException($"--device {deviceName}: {missing}");
            var options = new WorkerOptions
            {
                Device = deviceName == "cuda" ? "cuda:0" : deviceName,
                Workers = o.GetValue(workers),
                Threads = o.GetValue(threads),
                Token = string.IsNullOrEmpty(bearer) ? null : bearer,
                WorkerIdPrefix = $"{Environment.MachineName}-{Environment.ProcessId}",
                RelayPort = o.GetValue(relayPort),
                RelayAddress = address,
                DataRoots = roots.Length > 0 ? roots : null,
                TlsClientCertificate = cert,
                TlsClientKey = key,
                TlsCa = ca,
            };
            return new WorkerCommandLine(membership, options, Port(o.GetValue(metricsPort), bind, "metrics-port"), o.GetValue(traceConsole));
        }

        // Given: checked free now. Left out: a free one.
        private static int Port(int? given, IPAddress bind, string name)
        {
            if (given is not { } port) return FreePorts.Next(bind);
            FreePorts.RequireFree(port, bind, name);
            return port;
        }
    }

    [GeneratedRegex("^(cpu|cuda(:[0-9]+)?)$")]
    private static partial Regex DevicePattern();
}
