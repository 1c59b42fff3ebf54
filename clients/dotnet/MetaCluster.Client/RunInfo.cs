namespace MetaCluster.Client;

/// <summary>All a coordinator says about one run (<see cref="MetaClusterClient.GetRunAsync"/>).</summary>
/// <param name="Progress">Its progress now.</param>
/// <param name="Options">Its definition, every field as the coordinator completed it.</param>
/// <param name="Name">Its name (empty when none).</param>
/// <param name="Tags">Its tags.</param>
/// <param name="SummaryJson">summary.json once completed, else empty.</param>
/// <param name="Error">Why it failed, else empty.</param>
/// <param name="Created">When it was started (UTC), when the coordinator says.</param>
public sealed record RunInfo(RunProgress Progress, RunOptions? Options, string Name, IReadOnlyDictionary<string, string> Tags,
    string SummaryJson, string Error, DateTimeOffset? Created)
{
    /// <summary>The run's id.</summary>
    public string RunId => Progress.RunId;

    /// <summary>The headline figures of <see cref="SummaryJson"/>, or null before the run completes.</summary>
    public RunSummary? Summary => RunSummary.Parse(SummaryJson);
}
