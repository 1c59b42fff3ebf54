using System.CommandLine;
using System.Text.RegularExpressions;
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
        private readonly Option<int> siloPort = Int("--silo-port", "Orleans silo port", 11112, 0, 65535, "PORT");
        private readonly Option<string?> advertiseAddress = OptionalText("--advertise-address", "address other silos reach this one at", "IP", "POD_IP, else 127.0.0.1");
        private readonly Option<int> metricsPort = Int("--metrics-port", "port of /metrics and /healthz (0: a free one)", 9465, 0, 65535, "PORT");
        private readonly Option<int> relayPort = Int("--relay-port", "gRPC port of the process's reduction relay (0: a free one; -1: none)", 0, -1, 65535, "PORT");
        private readonly Option<bool> traceConsole = Switch("--trace-console", "print spans");
        // The chart and the compose file give workers the data mount as they give the coordinator; a
        // worker reads the paths each run names, which the coordinator has checked against its roots.
        private readonly Option<string[]> dataRoots = Repeatable("--data-root", "where the cluster's task data is mounted (accepted for symmetry with serve; the coordinator checks each run's paths against its own roots)", "DIR");

        public RootCommand Create()
        {
            var root = new RootCommand("A TaskWorker process: a silo that joins a cluster and hosts the worker grains of one device.") { HelpName = "TaskWorker" };
            foreach (var option in new Option[] { redis, device, clusterId, token, workers, threads, siloPort, advertiseAddress, metricsPort, relayPort, traceConsole, dataRoots })
                root.Options.Add(option);
            device.Validators.Add(r =>
            {
                if (!DevicePattern().IsMatch(r.GetValueOrDefault<string>())) r.AddError($"--device must be cpu or cuda:N; got '{r.GetValueOrDefault<string>()}'");
            });
            CommandLineRunner.VersionOf(root, typeof(WorkerCommandLine).Assembly);
            root.SetAction(async (result, _) =>
            {
                await WorkerHost.Build(Read(result)).RunAsync();
                return 0;
            });
            return root;
        }

        private WorkerCommandLine Read(ParseResult o)
        {
            string advertise = o.GetValue(advertiseAddress) ?? Environment.GetEnvironmentVariable("POD_IP") ?? "127.0.0.1";
            var address = NetworkAddresses.Parse(advertise, "advertise-address");
            string? bearer = o.GetValue(token) ?? Environment.GetEnvironmentVariable("CLUSTER_TOKEN");
            if (!System.Net.IPAddress.IsLoopback(address) && string.IsNullOrEmpty(bearer))
                throw new UsageException($"--advertise-address {address} is not loopback: give --token (or CLUSTER_TOKEN) so the data plane is not open");
            var membership = new ClusterMembershipSettings(o.GetValue(redis)!, o.GetValue(clusterId)!, o.GetValue(siloPort), address);
            string deviceName = o.GetValue(device)!;
            var options = new WorkerOptions
            {
                Device = deviceName == "cuda" ? "cuda:0" : deviceName,
                Workers = o.GetValue(workers),
                Threads = o.GetValue(threads),
                Token = string.IsNullOrEmpty(bearer) ? null : bearer,
                WorkerIdPrefix = $"{Environment.MachineName}-{Environment.ProcessId}",
                RelayPort = o.GetValue(relayPort),
                RelayAddress = address,
            };
            return new WorkerCommandLine(membership, options, o.GetValue(metricsPort), o.GetValue(traceConsole));
        }
    }

    [GeneratedRegex("^(cpu|cuda(:[0-9]+)?)$")]
    private static partial Regex DevicePattern();
}
