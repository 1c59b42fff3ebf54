using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MetaCluster.Testing.Processes;

/// <summary>
/// A child process whose output (stdout and stderr, interleaved) is captured and can be waited
/// on; killed on dispose. Used by the process tests and the <c>bench</c> verb's scaling suite.
/// </summary>
public sealed class ManagedProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly Lock gate = new();

    private ManagedProcess(Process process, string name)
    {
        this.process = process;
        Name = name;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>A name for logs and error messages.</summary>
    public string Name { get; }

    /// <summary>The operating system's process id.</summary>
    public int Id => process.Id;

    /// <summary>True once the process has ended.</summary>
    public bool HasExited => process.HasExited;

    /// <summary>The exit code, once <see cref="HasExited"/>.</summary>
    public int ExitCode => process.ExitCode;

    /// <summary>Everything the process printed so far.</summary>
    public string Output { get { lock (gate) return output.ToString(); } }

    /// <summary>
    /// Starts <paramref name="file"/> with <paramref name="args"/>; <c>CLUSTER_TOKEN</c> and the
    /// <c>OTEL_*</c> variables are not inherited (a test's processes export telemetry only where it
    /// says so), and <paramref name="environment"/> is added (a null value removes a variable).
    /// </summary>
    public static ManagedProcess Start(string name, string file, IEnumerable<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        start.Environment.Remove("CLUSTER_TOKEN");
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("OTEL_", StringComparison.Ordinal)).ToArray())
            start.Environment.Remove(inherited);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
            if (value is null) start.Environment.Remove(key);
            else start.Environment[key] = value;
        return new ManagedProcess(Process.Start(start)!, name);
    }

    /// <summary>Waits until the output matches, or fails with the output so far.</summary>
    public async Task WaitForOutputAsync(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern);
        var deadline = DateTime.UtcNow + timeout;
        while (!regex.IsMatch(Output))
        {
            if (process.HasExited) throw new InvalidOperationException($"{Name} exited with {process.ExitCode} before printing /{pattern}/:\n{Output}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Name} did not print /{pattern}/ within {timeout.TotalSeconds:0} s:\n{Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits for the process to end; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return process.ExitCode;
    }

    /// <summary>SIGKILL: no chance to clean up, as when a machine dies.</summary>
    public void Kill()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    /// <summary>SIGTERM: the graceful stop Kubernetes sends.</summary>
    public void Terminate() => Signal("TERM");

    /// <summary>SIGSTOP: the process freezes (a long GC pause, a VM stall) without dying.</summary>
    public void Pause() => Signal("STOP");

    /// <summary>SIGCONT: a paused process goes on.</summary>
    public void Resume() => Signal("CONT");

    private void Signal(string name)
    {
        if (process.HasExited) return;
        using var kill = Process.Start("kill", [$"-{name}", process.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        try { Kill(); } catch (InvalidOperationException) { }
        process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (gate) output.AppendLine(line);
    }
}
