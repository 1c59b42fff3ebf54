namespace MetaCluster.Client;

/// <summary>How a run ended.</summary>
/// <param name="RunId">The run.</param>
/// <param name="State"><see cref="RunState.Completed"/>, <see cref="RunState.Failed"/> or <see cref="RunState.Stopped"/>.</param>
/// <param name="Error">Why it failed or stopped (empty when it completed).</param>
/// <param name="SummaryJson">A completed run's <c>summary.json</c>, as the coordinator wrote it (empty otherwise).</param>
public sealed record RunResult(string RunId, RunState State, string Error, string SummaryJson)
{
    /// <summary>The headline figures of <see cref="SummaryJson"/>, or null when there is none.</summary>
    public RunSummary? Summary => RunSummary.Parse(SummaryJson);

    /// <summary>True when the run completed.</summary>
    public bool Succeeded => State == RunState.Completed;
}
