namespace MetaCluster.Abstractions;

/// <summary>Where a run is.</summary>
public enum RunState
{
    /// <summary>Accepted, not started.</summary>
    Pending,
    /// <summary>Meta-training.</summary>
    Training,
    /// <summary>Evaluating on held-out tasks.</summary>
    Evaluating,
    /// <summary>Finished; the summary is written.</summary>
    Completed,
    /// <summary>Stopped by an error.</summary>
    Failed,
    /// <summary>Stopped on request.</summary>
    Stopped,
}

/// <summary>A snapshot of a run's progress.</summary>
[GenerateSerializer, Immutable, Alias("MetaCluster.RunStatus")]
public sealed record RunStatus
{
    [Id(0)] public string RunId { get; init; } = "";
    [Id(1)] public RunState State { get; init; }
    /// <summary>Meta-steps applied.</summary>
    [Id(2)] public long Step { get; init; }
    [Id(3)] public long MetaSteps { get; init; }
    /// <summary>Mean query loss of the last step's tasks.</summary>
    [Id(4)] public double Loss { get; init; } = double.NaN;
    [Id(5)] public double TasksPerSecond { get; init; }
    [Id(6)] public int Workers { get; init; }
    [Id(7)] public double ElapsedSeconds { get; init; }
    [Id(8)] public double EtaSeconds { get; init; } = double.NaN;
    [Id(9)] public string? Error { get; init; }
    /// <summary>The summary as written to summary.json, once completed.</summary>
    [Id(10)] public string? SummaryJson { get; init; }
    [Id(11)] public int EvaluatedTasks { get; init; }
    [Id(12)] public int EvalTasks { get; init; }

    /// <summary>True once the run will not change any more.</summary>
    public bool IsFinished => State is RunState.Completed or RunState.Failed or RunState.Stopped;
}
