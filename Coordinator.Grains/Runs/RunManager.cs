using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Output;
using Microsoft.Extensions.Hosting;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// The runs of a long-lived coordinator: each has a run directory under the state directory
/// (run.json, run-record.json, checkpoints, metrics, summary). On start it resumes every run that
/// neither completed nor ended (stopped, failed) from its newest checkpoint, so a coordinator
/// restart loses at most the steps since that checkpoint — and, since tasks are rebuilt from
/// (seed, step, index), the resumed run ends with the same parameters.
/// </summary>
public sealed partial class RunManager(IGrainFactory grains, ServeSettings settings, ILogger<RunManager> logger) : IHostedService
{
    private readonly SemaphoreSlim starting = new(1, 1);
    private readonly ConcurrentDictionary<string, RunRecord> records = new(StringComparer.Ordinal);
    private DateTime lastStart;

    private string RunsPath => Path.Combine(settings.StateDirectory, "runs");

    /// <summary>
    /// Starts a new run, or returns the run an earlier request with the same <paramref name="request"/>
    /// id started (Created false). Reusing a request id for another definition is an <see cref="ArgumentException"/>.
    /// </summary>
    public async Task<(string RunId, bool Created)> StartRunAsync(RunDefinition definition, RunRecord request)
    {
        await starting.WaitAsync();
        try
        {
            if (request.RequestId.Length > 0 && records.FirstOrDefault(r => r.Value.RequestId == request.RequestId) is { Key: not null } earlier)
            {
                var earlierDefinition = Definition(earlier.Key);
                if (earlierDefinition is not null && !SameRun(earlierDefinition, definition))
                    throw new ArgumentException($"request_id '{request.RequestId}' already started run {earlier.Key} with another definition");
                return (earlier.Key, false);
            }
            string runId = NewRunId();
            var run = definition with { OutputDirectory = Path.Combine(RunsPath, runId), Resume = false };
            var record = request with { Created = DateTime.UtcNow };
            // The directory exists before the call returns, so the run is listed (and recoverable) at once.
            new RunDirectory(run.OutputDirectory).WriteJson("run.json", run);
            record.Write(run.OutputDirectory);
            records[runId] = record;
            await grains.GetGrain<IMetaRunGrain>(runId).StartAsync(run);
            return (runId, true);
        }
        finally
        {
            starting.Release();
        }
    }

    // Ordinal order of ids is the order runs were started in (ListRuns pages on it): the time to
    // the millisecond, kept increasing under the start lock, then a random part that keeps two
    // coordinators' ids apart.
    private string NewRunId()
    {
        var now = DateTime.UtcNow;
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
        lastStart = now > lastStart ? now : lastStart.AddMilliseconds(1);
        return string.Create(CultureInfo.InvariantCulture, $"run-{lastStart:yyyyMMdd-HHmmss-fff}-{Guid.NewGuid().ToString("N")[..6]}");
    }

    /// <summary>True when the run exists (running, or its directory is there).</summary>
    public bool Exists(string runId) => IsValidId(runId) && System.IO.Directory.Exists(Path.Combine(RunsPath, runId));

    /// <summary>The run directory.</summary>
    public RunDirectory Directory(string runId) => new(Path.Combine(RunsPath, runId));

    /// <summary>The run's record (name, tags, request id, how it ended), if it has one.</summary>
    public RunRecord? Record(string runId) => records.GetValueOrDefault(runId) ?? RunRecord.Read(Path.Combine(RunsPath, runId));

    /// <summary>The run's definition, from its run.json.</summary>
    public RunDefinition? Definition(string runId)
    {
        string path = Path.Combine(RunsPath, runId, "run.json");
        try { return File.Exists(path) ? JsonSerializer.Deserialize<RunDefinition>(File.ReadAllText(path), RunJson.Indented) : null; }
        catch (JsonException) { return null; }
    }

    /// <summary>A run's status: live from its grain, or from its directory if the grain never ran in this process.</summary>
    public async Task<RunStatus> StatusAsync(string runId)
    {
        var run = grains.GetGrain<IMetaRunGrain>(runId);
        var status = await TransientGrainCalls.RetryAsync(run.GetStatusAsync);
        if (status.State != RunState.Pending) return status;
        string summary = Path.Combine(RunsPath, runId, "summary.json");
        if (File.Exists(summary)) return status with { State = RunState.Completed, SummaryJson = File.ReadAllText(summary) };
        return Record(runId) is { Ended: { } ended } record
            ? status with
            {
                State = ended == "failed" ? RunState.Failed : RunState.Stopped, Error = record.Error, Step = record.Step,
                Loss = record.Loss ?? double.NaN, MetaSteps = Definition(runId)?.MetaSteps ?? status.MetaSteps,
            }
            : status;
    }

    /// <summary>Asks a run to stop; a run that will not resume is recorded as stopped at once.</summary>
    public async Task StopAsync(string runId)
    {
        var run = grains.GetGrain<IMetaRunGrain>(runId);
        await run.StopAsync();
        // A run in its loop records where it stopped itself; one that never started (or ran in
        // another coordinator's lifetime) is recorded here.
        var status = await TransientGrainCalls.RetryAsync(run.GetStatusAsync);
        if (!status.IsFinished) RecordEnd(runId, "stopped", null, status.Step);
    }

    /// <summary>Records that a run ended without completing, so a restart does not resume it.</summary>
    public void RecordEnd(string runId, string ended, string? error, long step = 0)
    {
        if (!Exists(runId) || File.Exists(Path.Combine(RunsPath, runId, "summary.json"))) return;
        var earlier = Record(runId) ?? new RunRecord();
        var record = earlier with { Ended = ended, Error = error, Step = Math.Max(step, earlier.Step) };
        record.Write(Path.Combine(RunsPath, runId));
        records[runId] = record;
    }

    /// <summary>Every run id, newest first, with the given tags if any.</summary>
    public IReadOnlyList<string> RunIds(IReadOnlyDictionary<string, string>? tags = null) =>
        System.IO.Directory.Exists(RunsPath)
            ? System.IO.Directory.GetDirectories(RunsPath).Select(Path.GetFileName).OfType<string>().Where(IsValidId)
                .Where(id => tags is null || tags.Count == 0 || (Record(id) is { } r && tags.All(t => r.Tags.TryGetValue(t.Key, out var v) && v == t.Value)))
                .OrderDescending(StringComparer.Ordinal).ToArray()
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
            var record = RunRecord.Read(dir);
            if (record is not null) records[runId] = record;
            if (File.Exists(Path.Combine(dir, "summary.json")) || record?.Ended is not null) continue;
            if (Definition(runId) is not { } definition)
            {
                LogUnreadable(runId, "run.json is missing or unreadable");
                continue;
            }
            await grains.GetGrain<IMetaRunGrain>(runId).StartAsync(definition with { OutputDirectory = dir, Resume = true });
            LogRecovered(runId);
        }
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // The same run but for what the coordinator chose itself.
    private static bool SameRun(RunDefinition a, RunDefinition b) =>
        JsonSerializer.Serialize(a with { OutputDirectory = null, Resume = false }, RunJson.Line) == JsonSerializer.Serialize(b with { OutputDirectory = null, Resume = false }, RunJson.Line);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming unfinished run {RunId}")]
    private partial void LogRecovered(string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot resume run {RunId}: {Reason}")]
    private partial void LogUnreadable(string runId, string reason);
}

/// <summary>Settings of <c>Coordinator serve</c> that services need.</summary>
/// <param name="StateDirectory">Where run directories live.</param>
/// <param name="DataRoots">The folders runs may read data from.</param>
/// <param name="Limits">What one run may ask.</param>
public sealed record ServeSettings(string StateDirectory, IReadOnlyList<string> DataRoots, Definitions.RunLimits? Limits = null);
