using System.CommandLine;
using System.Text.Json;
using Grpc.Core;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Output;
using MetaCluster.Protos.Api.V1;
using MetaCluster.ServiceDefaults.Options;
using static MetaCluster.ServiceDefaults.Options.CheckedOptions;
using ApiRunState = MetaCluster.Protos.Api.V1.RunState;
using RunState = MetaCluster.Abstractions.RunState;

namespace MetaCluster.Coordinator.Cli;

/// <summary><c>watch</c>: streams a run's progress until it ends; with <c>--out DIR</c> then downloads every file of its run directory.</summary>
public sealed class WatchCommand : IVerb
{
    private readonly ClusterClient client = new();
    private readonly Option<string> run = new("--run") { Description = "the run's id (as submit printed it)", HelpName = "ID", Required = true };
    private readonly Option<string?> outDirectory = OptionalText("--out", "where to copy the run directory when the run ends", "DIR");

    /// <inheritdoc />
    public int Order => 50;

    /// <inheritdoc />
    public Command Create()
    {
        var command = new Command("watch", "stream a run's progress until it ends (--coordinator URL --run ID [--out DIR])");
        client.AddTo(command);
        command.Options.Add(run);
        command.Options.Add(outDirectory);
        command.SetAction((result, cancellationToken) => WatchAsync(result, result.InvocationConfiguration.Output, cancellationToken));
        return command;
    }

    private async Task<int> WatchAsync(ParseResult options, TextWriter output, CancellationToken cancellationToken)
    {
        string runId = options.GetValue(run)!;
        string? outDir = options.GetValue(outDirectory);
        var (api, channel) = client.Connect(options);
        using (channel)
        {
            var printer = new ProgressPrinter(output, !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out));
            using var call = api.WatchRun(new WatchRunRequest { RunId = runId }, cancellationToken: cancellationToken);
            RunResult? result = null;
            await ClusterClient.CallAsync(async () =>
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
            if (outDir is not null) await RunFiles.DownloadAllAsync(api, runId, outDir, cancellationToken);
            if (result.State != ApiRunState.Completed)
            {
                options.InvocationConfiguration.Error.WriteLine($"error: run {runId} {result.State.ToString().ToLowerInvariant()}: {result.Error}");
                return 1;
            }
            var summary = JsonSerializer.Deserialize<RunSummary>(result.SummaryJson, RunJson.Indented)!;
            TrainCommand.PrintSummary(output, summary);
            if (outDir is not null) ReportCommand.WriteReport(outDir, output);
            return 0;
        }
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
}
