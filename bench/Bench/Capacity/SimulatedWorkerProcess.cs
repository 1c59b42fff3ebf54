using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using MetaCluster.Bench.Simulated;

namespace MetaCluster.Bench.Capacity;

/// <summary>What the simulated workers report: their process's CPU time so far and the bytes they moved so far.</summary>
public sealed record SimulatedTotals(double CpuSeconds, long ParameterBytes, long GradientBytes);

/// <summary>
/// The simulated-worker process (<c>Bench load</c>, this program started again): W workers without
/// compute that fetch parameters and stream gradients over the real data plane, and the relay
/// sessions of a reduction tree. It is told what to run per assignment, on its stdin
/// (<see cref="LoadProtocol"/>), in place of the grain calls of a real run; many calls are in flight
/// at once, each answered by id on its stdout.
/// </summary>
public sealed class SimulatedWorkerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder errors = new();
    private readonly Channel<string> requests = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private Task writer = Task.CompletedTask;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<string[]>> pending = new();
    private Task answers = Task.CompletedTask;
    private long lastId;

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

    /// <summary>Starts the simulated workers of <paramref name="load"/> and waits until they are ready.</summary>
    public static async Task<SimulatedWorkerProcess> StartAsync(LoadArguments load, CancellationToken cancellationToken)
    {
        if (!File.Exists(AssemblyPath)) throw new FileNotFoundException($"the simulated workers are not built: no {AssemblyPath}");
        var start = new ProcessStartInfo("dotnet", [AssemblyPath, "load", .. load.ToArgs()])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Server GC would give the load process a heap per core and compete harder for the cores.
        start.Environment["DOTNET_gcServer"] = "0";
        var handle = new SimulatedWorkerProcess(Process.Start(start)!);
        handle.writer = Task.Run(handle.WriteRequestsAsync);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromMinutes(2));
        string? line;
        try
        {
            line = await handle.process.StandardOutput.ReadLineAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            line = null;
        }
        if (line != LoadProtocol.Ready)
        {
            var failure = handle.Failure($"did not start (said '{line}')");
            await handle.DisposeAsync();
            throw failure;
        }
        handle.answers = Task.Run(handle.ReadAnswersAsync);
        return handle;
    }

    /// <summary>Runs one assignment; returns the acknowledgement's outcome and the result's bytes once the result was acknowledged.</summary>
    public async Task<(Protos.DataPlane.V1.ShardResultAck.Types.Outcome Outcome, long Bytes)> RunAsync(LoadAssignment assignment)
    {
        var fields = await CallAsync(id => LoadProtocol.Run(id, assignment));
        return (Enum.Parse<Protos.DataPlane.V1.ShardResultAck.Types.Outcome>(fields[0]), long.Parse(fields[1], CultureInfo.InvariantCulture));
    }

    /// <summary>Opens a relay session for <paramref name="plan"/>; returns its URL.</summary>
    public async Task<string> OpenRelayAsync(LoadRelayPlan plan) => (await CallAsync(id => LoadProtocol.OpenRelay(id, plan)))[0];

    /// <summary>Completes once the relay session at <paramref name="relayUrl"/> has forwarded; fails if forwarding did.</summary>
    public Task AwaitRelayAsync(string relayUrl) => CallAsync(id => LoadProtocol.AwaitRelay(id, relayUrl));

    /// <summary>The process's CPU time and bytes moved so far.</summary>
    public async Task<SimulatedTotals> ReportAsync()
    {
        var f = await CallAsync(LoadProtocol.Report);
        var c = CultureInfo.InvariantCulture;
        return new SimulatedTotals(double.Parse(f[0], c), long.Parse(f[1], c), long.Parse(f[2], c));
    }

    // Sends one request and waits for the answer with its id: the fields after the id, or the load process's error.
    private Task<string[]> CallAsync(Func<long, string> request)
    {
        long id = Interlocked.Increment(ref lastId);
        var answer = new TaskCompletionSource<string[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = answer;
        if (answers.IsCompleted || !requests.Writer.TryWrite(request(id))) answer.TrySetException(Failure("is gone"));
        return answer.Task;
    }

    // Requests made together (a round hands out all its units at once) go to the pipe in one write.
    private async Task WriteRequestsAsync()
    {
        var input = process.StandardInput;
        while (await requests.Reader.WaitToReadAsync())
        {
            while (requests.Reader.TryRead(out var line)) input.WriteLine(line);
            await input.FlushAsync();
        }
    }

    private async Task ReadAnswersAsync()
    {
        try
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                var (verb, id, fields) = LoadProtocol.Parse(line);
                if (!pending.TryRemove(id, out var answer)) continue;
                if (verb == "ok") answer.TrySetResult(fields);
                else answer.TrySetException(Failure(string.Join(' ', fields)));
            }
        }
        finally
        {
            // The process ended (or spoke nonsense): nothing pending will be answered.
            foreach (var id in pending.Keys)
                if (pending.TryRemove(id, out var answer)) answer.TrySetException(Failure("ended before answering"));
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
                requests.Writer.TryWrite(LoadProtocol.Exit);
                requests.Writer.TryComplete();
                await writer;
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(wait.Token);
            }
            await answers;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or FormatException)
        {
            process.Kill(entireProcessTree: true);
        }
        process.Dispose();
    }
}
