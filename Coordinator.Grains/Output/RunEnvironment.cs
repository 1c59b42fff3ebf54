using System.Reflection;
using System.Runtime.InteropServices;

namespace MetaCluster.Coordinator.Output;

/// <summary>
/// The environment object of summary.json: the software that ran the run (this build's version and
/// the git commit it was built from, .NET, TorchSharp) and the machine the coordinator ran on.
/// </summary>
public sealed record RunEnvironment
{
    /// <summary>The metacluster build's informational version (version+commit).</summary>
    public string Metacluster { get; init; } = "";
    /// <summary>The git commit the coordinator was built from, when the build recorded one.</summary>
    public string? GitCommit { get; init; }
    public string Dotnet { get; init; } = "";
    public string Torchsharp { get; init; } = "";
    public string Os { get; init; } = "";
    public string Architecture { get; init; } = "";
    public string Host { get; init; } = "";
    /// <summary>The CPU model (Linux: /proc/cpuinfo's model name), when known.</summary>
    public string? Cpu { get; init; }
    public int Cores { get; init; }
    public long MemoryBytes { get; init; }

    /// <summary>This process's environment.</summary>
    public static RunEnvironment Current()
    {
        string version = Informational(typeof(RunEnvironment).Assembly);
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return new RunEnvironment
        {
            Metacluster = version,
            GitCommit = plus >= 0 && plus + 1 < version.Length ? version[(plus + 1)..] : null,
            Dotnet = RuntimeInformation.FrameworkDescription,
            Torchsharp = Informational(typeof(TorchSharp.torch).Assembly),
            Os = RuntimeInformation.OSDescription,
            Architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
            Host = Environment.MachineName,
            Cpu = CpuModel(),
            Cores = Environment.ProcessorCount,
            MemoryBytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        };
    }

    private static string Informational(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "unknown";

    private static string? CpuModel()
    {
        try
        {
            if (!File.Exists("/proc/cpuinfo")) return null;
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}

/// <summary>
/// The validation object of summary.json: how the validation split was chosen, how often it was
/// scored, and the best validation (whose parameters are checkpoints/best.ckpt).
/// </summary>
public sealed record ValidationSummary(string Metric, int InnerSteps, int Tasks, int Every, string Split, int Validations,
    long BestStep, double? BestValue, int EarlyStop, long? StoppedEarlyAt);
