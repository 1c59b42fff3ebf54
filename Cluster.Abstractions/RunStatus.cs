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
    // The experiment workflow's fields are numbered from 80, as in RunDefinition.
    /// <summary>The step of the latest validation; 0 before the first one (or without validation).</summary>
    [Id(80)] public long ValidationStep { get; init; }
    /// <summary>The validation metric of the latest validation (NaN when every task diverged).</summary>
    [Id(81)] public double ValidationValue { get; init; } = double.NaN;
    /// <summary>The validation metric's name: mse or accuracy.</summary>
    [Id(82)] public string? ValidationMetric { get; init; }
    /// <summary>The step of the best validation so far, whose parameters are checkpoints/best.ckpt.</summary>
    [Id(83)] public long BestStep { get; init; }
    /// <summary>The best validation metric so far.</summary>
    [Id(84)] public double BestValue { get; init; } = double.NaN;

    /// <summary>True once the run will not change any more.</summary>
    public bool IsFinished => State is RunState.Completed or RunState.Failed or RunState.Stopped;
}
