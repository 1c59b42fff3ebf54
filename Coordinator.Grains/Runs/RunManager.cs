using System.Globalization;
using System.Text.Json;
using MetaCluster.Coordinator.Output;
using Microsoft.Extensions.Hosting;
using MetaCluster.Abstractions;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// The runs of a long-lived coordinator: each has a run directory under the state directory
/// (run.json, checkpoints, metrics, summary). On start it resumes every run that has no
/// summary yet from its newest checkpoint, so a coordinator restart loses at most the steps since
/// that checkpoint — and, since tasks are rebuilt from (seed, step, index), the resumed run ends
/// with the same parameters.
/// </summary>
public sealed partial class RunManager(IGrainFactory grains, ServeSettings settings, ILogger<RunManager> logger) : IHostedService
{
    private string RunsPath => Path.Combine(settings.StateDirectory, "runs");

    /// <summary>Starts a new run; the coordinator chooses its id and directory.</summary>
    public async Task<string> StartRunAsync(RunDefinition definition)
    {
        string runId = string.Create(CultureInfo.InvariantCulture, $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}");
        var run = definition with { OutputDirectory = Path.Combine(RunsPath, runId), Resume = false };
        // The directory exists before the call returns, so the run is listed (and recoverable) at once.
        new RunDirectory(run.OutputDirectory).WriteJson("run.json", run);
        await grains.GetGrain<IMetaRunGrain>(runId).StartAsync(run);
        return runId;
    }

    /// <summary>True when the run exists (running, or its directory is there).</summary>
    public bool Exists(string runId) => IsValidId(runId) && System.IO.Directory.Exists(Path.Combine(RunsPath, runId));

    /// <summary>The run directory.</summary>
    public RunDirectory Directory(string runId) => new(Path.Combine(RunsPath, runId));

    /// <summary>A run's status: live from its grain, or from its directory if the grain never ran in this process.</summary>
    public async Task<RunStatus> StatusAsync(string runId)
    {
        var run = grains.GetGrain<IMetaRunGrain>(runId);
        var status = await TransientGrainCalls.RetryAsync(run.GetStatusAsync);
        if (status.State != RunState.Pending) return status;
        string summary = Path.Combine(RunsPath, runId, "summary.json");
        return File.Exists(summary)
            ? status with { State = RunState.Completed, SummaryJson = File.ReadAllText(summary) }
            : status;
    }

    /// <summary>Asks a run to stop.</summary>
    public Task StopAsync(string runId) => grains.GetGrain<IMetaRunGrain>(runId).StopAsync();

    /// <summary>Every run id, oldest first.</summary>
    public IReadOnlyList<string> RunIds() =>
        System.IO.Directory.Exists(RunsPath)
            ? System.IO.Directory.GetDirectories(RunsPath).Select(Path.GetFileName).OfType<string>().Where(IsValidId).Order(StringComparer.Ordinal).ToArray()
            : [];

    /// <summary>Run ids are ours: a client's id never becomes a path outside the state directory.</summary>
    public static bool IsValidId(string runId) =>
        runId.Length is > 4 and < 64 && runId.StartsWith("run-", StringComparison.Ordinal) && runId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(RunsPath);
        foreach (var runId in RunIds())
        {
            string dir = Path.Combine(RunsPath, runId);
            string definitionPath = Path.Combine(dir, "run.json");
            if (File.Exists(Path.Combine(dir, "summary.json")) || !File.Exists(definitionPath)) continue;
            try
            {
                var definition = JsonSerializer.Deserialize<RunDefinition>(File.ReadAllText(definitionPath), RunJson.Indented)!;
                await grains.GetGrain<IMetaRunGrain>(runId).StartAsync(definition with { OutputDirectory = dir, Resume = true });
                LogRecovered(runId);
            }
            catch (Exception e) when (e is JsonException or IOException)
            {
                LogUnreadable(runId, e.Message);
            }
        }
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming unfinished run {RunId}")]
    private partial void LogRecovered(string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot resume run {RunId}: {Reason}")]
    private partial void LogUnreadable(string runId, string reason);
}

/// <summary>Settings of <c>Coordinator serve</c> that services need.</summary>
public sealed record ServeSettings(string StateDirectory, IReadOnlyList<string> DataRoots);
