namespace MetaCluster.Client;

/// <summary>
/// One event of <see cref="MetaClusterClient.WatchAsync"/>: progress while the run goes
/// (<see cref="RunProgressed"/>), then one <see cref="RunEnded"/> with its result.
/// </summary>
/// <param name="RunId">The run.</param>
public abstract record RunUpdate(string RunId);

/// <summary>The run moved on (a step, or a change of state).</summary>
/// <param name="Progress">Where it is now.</param>
public sealed record RunProgressed(RunProgress Progress) : RunUpdate(Progress.RunId);

/// <summary>The run ended; always the last update.</summary>
/// <param name="Result">How it ended.</param>
public sealed record RunEnded(RunResult Result) : RunUpdate(Result.RunId);
