using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Cli.Config;
using MetaCluster.ServiceDefaults.Options;

namespace MetaCluster.Coordinator.Cli;

/// <summary>The options of <c>train</c>: the run's definition plus how the embedded cluster is laid out.</summary>
public sealed record TrainOptions(RunDefinition Run, int Threads, int? MetricsPort = null, bool TraceConsole = false, bool Report = true,
    bool InProcessDataPlane = true)
{
    /// <summary>Values of <c>--data-plane</c>: the service called in memory, or gRPC on loopback as between processes.</summary>
    public static readonly string[] DataPlanes = ["in-process", "grpc"];

    /// <summary>
    /// Reads <c>train</c>'s options (flags and <c>--config</c>) as the verb does; throws
    /// <see cref="UsageException"/> naming the first bad one.
    /// </summary>
    public static TrainOptions Parse(IEnumerable<string> args)
    {
        var train = new TrainCommand();
        return train.Read(CommandLineRunner.Parse(train.Create(), [.. args], ConfigArguments.Complete));
    }
}
