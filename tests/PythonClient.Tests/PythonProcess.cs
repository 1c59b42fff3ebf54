using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace MetaCluster.Tests.PythonClient;

/// <summary>What a finished child process left: its exit code and its stdout and stderr, interleaved.</summary>
public sealed record ProcessResult(int ExitCode, string Output);

/// <summary>Runs a command to its end with a chosen environment, capturing its output; killed when it overruns.</summary>
public static class PythonProcess
{
    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="args"/> in <paramref name="workingDirectory"/>;
    /// <paramref name="environment"/> adds variables (a null value removes one). Exit code 127 and a
    /// message when the file cannot be started; -1 and the output so far after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, string workingDirectory,
        IReadOnlyDictionary<string, string?> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var (name, value) in environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        var output = new StringBuilder();
        var gate = new Lock();
        void Append(string? line)
        {
            if (line is null) return;
            lock (gate) output.AppendLine(line);
        }

        Process process;
        try { process = Process.Start(start)!; }
        catch (Win32Exception e) { return new ProcessResult(127, $"cannot start {file}: {e.Message}"); }
        using (process)
        {
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                lock (gate) return new ProcessResult(-1, $"{output}\n(killed after {timeout.TotalSeconds:0} s)");
            }
            // The asynchronous readers may still hold the last lines; WaitForExit() drains them.
            process.WaitForExit();
            lock (gate) return new ProcessResult(process.ExitCode, output.ToString());
        }
    }
}
