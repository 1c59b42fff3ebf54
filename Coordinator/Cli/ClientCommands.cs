using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using MetaCluster.ServiceDefaults.Options;
using MetaCluster.Coordinator.Definitions;
using MetaCluster.Coordinator.Output;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Protos.Api.V1;
using MetaCluster.Abstractions;
using ApiRunState = MetaCluster.Protos.Api.V1.RunState;
using RunState = MetaCluster.Abstractions.RunState;

namespace MetaCluster.Coordinator.Cli;

/// <summary>
/// <c>submit</c>, <c>watch</c>, <c>stop</c> and <c>runs</c>: clients of a running <c>serve</c>.
/// A server-side rejection (bad option, unknown run, missing credentials) is one line, exit 2.
/// </summary>
public static class ClientCommands
{
    /// <summary><c>submit --coordinator URL [train options]</c>: prints the new run's id.</summary>
    public static async Task<int> SubmitAsync(string[] args, TextWriter output)
    {
        var (connection, trainArgs) = Split(args);
        var request = ToRequest(trainArgs);
        var (client, channel) = ClusterClient.Connect(connection);
        using (channel)
        {
            var response = await Call(() => client.StartRunAsync(request).ResponseAsync);
            output.WriteLine(response.RunId);
        }
        return 0;
    }

    /// <summary>
    /// The API request for <c>train</c>-style options: the typed definition, checked here first with
    /// the same rules as the server's so a typo fails fast with train's message. Paths are the
    /// server's: they are not looked for on this machine.
    /// </summary>
    public static StartRunRequest ToRequest(string[] trainArgs)
    {
        foreach (var (name, _) in new OptionReader(trainArgs, TrainOptions.Valued, TrainOptions.Switches).Given)
            if (name is "out" or "resume" or "threads" or "metrics-port" or "trace-console" or "no-report" or "data-plane")
                throw new UsageException($"--{name} is not for submit: the coordinator chooses it (use watch --out DIR for a local copy)");
        var run = TrainOptions.Parse(trainArgs).Run;
        return new StartRunRequest { Definition = ApiRunDefinitions.ToApi(run), RequestId = Guid.NewGuid().ToString("N") };
    }

    /// <summary><c>watch --coordinator URL --run ID [--out DIR]</c>: streams progress; writes the run directory at the end.</summary>
    public static async Task<int> WatchAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var o = new OptionReader(args, [.. ClusterClient.ConnectionOptions, "run", "out"], []);
        string runId = o.OptionalString("run") ?? throw new UsageException("--run ID is required");
        string? outDir = o.OptionalString("out");
        var (client, channel) = ClusterClient.Connect(o);
        using (channel)
        {
            var printer = new ProgressPrinter(output, !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out));
            using var call = client.WatchRun(new WatchRunRequest { RunId = runId }, cancellationToken: cancellationToken);
            RunResult? result = null;
            await Call(async () =>
            {
                await foreach (var e in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    if (e.EventCase == WatchRunEvent.EventOneofCase.Progress) printer.Show(ToStatus(e.Progress));
                    else result = e.Result;
                }
                return 0;
            });
            printer.Finish();
            if (result is null) throw new UsageException($"the stream of run {runId} ended without a result");
            if (outDir is not null)
            {
                var directory = new RunDirectory(outDir);
                await RunFiles.DownloadAllAsync(client, runId, outDir, cancellationToken);
            }
            if (result.State != ApiRunState.Completed)
            {
                Console.Error.WriteLine($"error: run {runId} {result.State.ToString().ToLowerInvariant()}: {result.Error}");
                return 1;
            }
            var summary = JsonSerializer.Deserialize<RunSummary>(result.SummaryJson, RunJson.Indented)!;
            TrainCommand.PrintSummary(output, summary);
            if (outDir is not null) ReportCommand.WriteReport(outDir, output);
            return 0;
        }
    }

    /// <summary><c>stop --coordinator URL --run ID</c>.</summary>
    public static async Task<int> StopAsync(string[] args, TextWriter output)
    {
        var o = new OptionReader(args, [.. ClusterClient.ConnectionOptions, "run"], []);
        string runId = o.OptionalString("run") ?? throw new UsageException("--run ID is required");
        var (client, channel) = ClusterClient.Connect(o);
        using (channel) await Call(() => client.StopRunAsync(new StopRunRequest { RunId = runId }).ResponseAsync);
        output.WriteLine($"asked run {runId} to stop");
        return 0;
    }

    /// <summary><c>runs --coordinator URL</c>: one line per run.</summary>
    public static async Task<int> ListAsync(string[] args, TextWriter output)
    {
        var o = new OptionReader(args, ClusterClient.ConnectionOptions, []);
        var (client, channel) = ClusterClient.Connect(o);
        using (channel)
        {
            var response = await Call(() => client.ListRunsAsync(new ListRunsRequest()).ResponseAsync);
            foreach (var run in response.Runs)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{run.RunId}  {run.State.ToString().ToLowerInvariant(),-10}  step {run.Step}/{run.MetaSteps}  loss {run.Loss:0.0000}"));
        }
        return 0;
    }

    /// <summary><c>workers --coordinator URL</c>: one line per live worker.</summary>
    public static async Task<int> WorkersAsync(string[] args, TextWriter output)
    {
        var o = new OptionReader(args, ClusterClient.ConnectionOptions, []);
        var (client, channel) = ClusterClient.Connect(o);
        using (channel)
        {
            // The server answers within its own budget; the deadline covers a coordinator that does not answer at all.
            var response = await Call(() => client.ListWorkersAsync(new ListWorkersRequest(), deadline: DateTime.UtcNow.AddSeconds(20)).ResponseAsync);
            foreach (var w in response.Workers) output.WriteLine($"{w.WorkerId}  {w.Device}  {w.Silo}");
        }
        return 0;
    }

    private static (OptionReader Connection, string[] Others) Split(string[] args)
    {
        var connection = new List<string>();
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..].Split('=')[0] : "";
            if (ClusterClient.ConnectionOptions.Contains(name))
            {
                connection.Add(args[i]);
                if (!args[i].Contains('=', StringComparison.Ordinal) && i + 1 < args.Length) connection.Add(args[++i]);
            }
            else rest.Add(args[i]);
        }
        return (new OptionReader(connection, ClusterClient.ConnectionOptions, []), rest.ToArray());
    }

    private static RunStatus ToStatus(RunProgress p) => new()
    {
        RunId = p.RunId, Step = p.Step, MetaSteps = p.MetaSteps, Loss = p.Loss, TasksPerSecond = p.TasksPerSecond,
        Workers = p.Workers, ElapsedSeconds = p.ElapsedSeconds, EtaSeconds = p.EtaSeconds,
        State = p.State switch
        {
            ApiRunState.Evaluating => RunState.Evaluating,
            ApiRunState.Pending => RunState.Pending,
            _ => RunState.Training,
        },
    };

    // The server's verdict on bad input is the user's error: one line, exit 2.
    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.Unauthenticated
                                         or StatusCode.FailedPrecondition or StatusCode.PermissionDenied)
        {
            throw new UsageException($"{e.StatusCode}: {e.Status.Detail}");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
        {
            throw new UsageException($"cannot reach the coordinator: {e.Status.Detail}");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            throw new UsageException("the coordinator did not answer in time; try again");
        }
        catch (RpcException e)
        {
            // Anything else is the server's failure, still one line and no stack trace.
            throw new UsageException($"the coordinator failed the call: {e.StatusCode}: {e.Status.Detail}");
        }
    }
}
