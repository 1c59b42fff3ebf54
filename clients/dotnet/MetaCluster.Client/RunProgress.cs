namespace MetaCluster.Client;

/// <summary>A run's progress at one moment.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Name">The name it was given at submission (empty when none).</param>
/// <param name="State">Where it is.</param>
/// <param name="Step">Meta-steps done.</param>
/// <param name="MetaSteps">Meta-steps in all.</param>
/// <param name="Loss">The latest meta-training loss.</param>
/// <param name="TasksPerSecond">Tasks adapted per second, lately.</param>
/// <param name="Workers">Workers taking part.</param>
/// <param name="Elapsed">Time since it started training.</param>
/// <param name="Eta">Estimated time to the end of training.</param>
public sealed record RunProgress(string RunId, string Name, RunState State, long Step, long MetaSteps, double Loss,
    double TasksPerSecond, int Workers, TimeSpan Elapsed, TimeSpan Eta);
