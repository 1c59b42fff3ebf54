using System.Diagnostics;
using System.Globalization;
using System.Text;
using MetaCluster.DataPlane.Wire;

namespace MetaCluster.Bench.Capacity;

/// <summary>What the simulated workers report after a step: their process's CPU time so far and the bytes they moved.</summary>
public sealed record SimulatedStep(long Step, double CpuSeconds, long ParameterBytes, long GradientBytes);

/// <summary>
/// The simulated-worker process (<c>Bench load</c>, this program started again): W workers without compute
/// that fetch each step's parameters and stream a gradient over the real data plane. The
/// benchmark tells it which step to run on its stdin, in place of the grain calls of a real run.
/// </summary>
public sealed class SimulatedWorkerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder errors = new();

    private SimulatedWorkerProcess(Process process)
    {
        this.process = process;
        process.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        process.BeginErrorReadLine();
    }

    /// <summary>The process id.</summary>
    public int Id => process.Id;

    /// <summary>The load process's assembly, next to this one.</summary>
    public static string AssemblyPath => Path.Combine(AppContext.BaseDirectory, "Bench.dll");

    /// <summary>Starts the simulated workers of <paramref name="point"/> for <paramref name="runId"/> and waits until they are ready.</summary>
    public static async Task<SimulatedWorkerProcess> StartAsync(string url, string runId, CapacityPoint point, CancellationToken cancellationToken)
    {
        if (!File.Exists(AssemblyPath)) throw new FileNotFoundException($"the simulated workers are not built: no {AssemblyPath}");
        var start = new ProcessStartInfo("dotnet",
        [
            AssemblyPath, "load", "--url", url, "--run", runId,
            "--workers", point.Workers.ToString(CultureInfo.InvariantCulture), "--elements", point.Elements.ToString(CultureInfo.InvariantCulture),
            "--dtype", GradientCodec.Name(point.WireType), "--fetch-every", point.WorkersPerFetch.ToString(CultureInfo.InvariantCulture),
            "--reduce-group", point.WorkersPerResult.ToString(CultureInfo.InvariantCulture),
            "--replay", point.ReplaysUpdate ? "true" : "false",
        ])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Server GC would give the load process a heap per core and compete harder for the cores.
        start.Environment["DOTNET_gcServer"] = "0";
        var handle = new SimulatedWorkerProcess(Process.Start(start)!);
        string? line = await handle.ReadLineAsync(TimeSpan.FromMinutes(2), cancellationToken);
        if (line != "ready") throw handle.Failure($"did not start (said '{line}')");
        return handle;
    }

    /// <summary>Tells the workers to run <paramref name="step"/>; <see cref="WaitAsync"/> returns their report.</summary>
    public async Task StartStepAsync(long step)
    {
        await process.StandardInput.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"step {step}"));
        await process.StandardInput.FlushAsync();
    }

    /// <summary>Waits for the report of <paramref name="step"/>.</summary>
    public async Task<SimulatedStep> WaitAsync(long step, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string? line = await ReadLineAsync(timeout, cancellationToken);
        var parts = line?.Split(' ') ?? [];
        if (parts.Length != 5 || parts[0] != "done" || long.Parse(parts[1], CultureInfo.InvariantCulture) != step)
            throw Failure($"step {step}: {line ?? "no answer"}");
        var c = CultureInfo.InvariantCulture;
        return new SimulatedStep(step, double.Parse(parts[2], c), long.Parse(parts[3], c), long.Parse(parts[4], c));
    }

    private async Task<string?> ReadLineAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            return await process.StandardOutput.ReadLineAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure($"no answer within {timeout.TotalSeconds:0} s");
        }
    }

    private InvalidOperationException Failure(string what)
    {
        string stderr;
        lock (errors) stderr = errors.ToString().Trim();
        return new InvalidOperationException($"simulated workers (pid {process.Id}) {what}{(stderr.Length > 0 ? ": " + stderr : "")}");
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                await process.StandardInput.WriteLineAsync("exit");
                await process.StandardInput.FlushAsync();
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(wait.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            process.Kill(entireProcessTree: true);
        }
        process.Dispose();
    }
}
