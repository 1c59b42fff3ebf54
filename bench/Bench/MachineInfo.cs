using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace MetaCluster.Bench;

/// <summary>The machine and software a benchmark ran on, as written to <c>bench.json</c>.</summary>
/// <param name="Cores">Logical cores the process may use.</param>
/// <param name="CpuModel">The first <c>model name</c> of /proc/cpuinfo.</param>
/// <param name="Os">The operating system.</param>
/// <param name="DotNet">The .NET runtime.</param>
/// <param name="TorchSharp">TorchSharp's version.</param>
/// <param name="LibtorchThreads">libtorch intra-op threads of this process at the end.</param>
/// <param name="LoadAverageBefore">1, 5 and 15 minute load averages before the first suite.</param>
/// <param name="LoadAverageAfter">The same after the last suite.</param>
/// <param name="GitCommit">The repository's commit, when run from a checkout with git.</param>
/// <param name="GitDirty">Whether the checkout had uncommitted changes.</param>
public sealed record MachineInfo(
    int Cores, string CpuModel, string Os, [property: JsonPropertyName("dotnet")] string DotNet,
    [property: JsonPropertyName("torchsharp")] string TorchSharp, int LibtorchThreads,
    double[] LoadAverageBefore, double[] LoadAverageAfter, string? GitCommit, bool? GitDirty)
{
    /// <summary>The description, with <paramref name="loadBefore"/> taken earlier and the rest now.</summary>
    public static MachineInfo Describe(double[] loadBefore, string? repositoryRoot) => new(
        Environment.ProcessorCount,
        ReadCpuModel(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        typeof(global::TorchSharp.torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? typeof(global::TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown",
        global::TorchSharp.torch.get_num_threads(),
        loadBefore,
        LoadAverage(),
        repositoryRoot is null ? null : Git(repositoryRoot, "rev-parse", "HEAD")?.Trim(),
        repositoryRoot is null ? null : Git(repositoryRoot, "status", "--porcelain") is { } status ? status.Trim().Length > 0 : null);

    /// <summary>The 1, 5 and 15 minute load averages of /proc/loadavg (empty where there is none).</summary>
    public static double[] LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ').Take(3)
                .Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return [];
        }
    }

    private static string ReadCpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    // git's output, or null when git is missing or the folder is no checkout.
    private static string? Git(string repository, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo("git", ["-C", repository, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var git = Process.Start(start)!;
            string output = git.StandardOutput.ReadToEnd();
            git.StandardError.ReadToEnd();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
