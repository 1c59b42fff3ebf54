using System.Text.Json;
using MetaCluster.Coordinator.Output;

namespace MetaCluster.Bench;

/// <summary>A suite that failed, with its error; the figures of the other suites are still written.</summary>
public sealed record BenchError(string Suite, string Message);

/// <summary>A suite as run: its name and one-line description.</summary>
public sealed record BenchSuiteRun(string Name, string Description);

/// <summary>
/// <c>bench.json</c>: the command, its settings, the machine, and every figure of every suite
/// (snake_case names, like the run directory's files).
/// </summary>
public sealed record BenchDocument(
    string Command,
    DateTime StartedUtc,
    DateTime FinishedUtc,
    BenchSettings Settings,
    MachineInfo Machine,
    IReadOnlyList<BenchSuiteRun> Suites,
    IReadOnlyList<BenchFigure> Figures,
    IReadOnlyList<BenchError> Errors)
{
    /// <summary>The document as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, RunJson.Indented);

    /// <summary>Reads a <c>bench.json</c>.</summary>
    public static BenchDocument? FromJson(string json) => JsonSerializer.Deserialize<BenchDocument>(json, RunJson.Indented);
}
