using System.Diagnostics;
using System.Reflection;
using MetaCluster.Testing.Processes;

namespace MetaCluster.Tests.Clients.EndToEnd;

/// <summary>The metacluster tool run as a process (<c>dotnet MetaCluster.Tool.dll …</c>), its output and errors apart.</summary>
public static class ToolProcess
{
    /// <summary>
    /// The tool's assembly in its own build output (same configuration as the tests), as an installed
    /// tool runs: with its own dependencies. A copy next to the tests would run against this folder's
    /// assemblies, which the web SDK of the Coordinator trims to what ASP.NET Core's shared framework lacks.
    /// </summary>
    public static string Assembly { get; } = Path.Combine(RepositoryPaths.Root, "clients", "dotnet", "MetaCluster.Tool", "bin",
        typeof(ToolProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release", "net10.0", "MetaCluster.Tool.dll");

    /// <summary>Runs the tool with <paramref name="args"/> and only the METACLUSTER_ variables in <paramref name="environment"/>.</summary>
    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? timeout = null)
    {
        if (!File.Exists(Assembly)) Assert.Skip($"the tool is not built ({Assembly})");
        var start = new ProcessStartInfo("dotnet", [Assembly, .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string name in new[] { "METACLUSTER_COORDINATOR", "METACLUSTER_TOKEN" }) start.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"metacluster {string.Join(' ', args)} did not end in time:\n{await output}\n{await error}");
        }
        return (process.ExitCode, await output, await error);
    }
}
