namespace MetaCluster.Client;

/// <summary>Where a run is in its life.</summary>
public enum RunState
{
    /// <summary>A state this client does not know (a newer coordinator).</summary>
    Unknown = 0,

    /// <summary>Accepted, waiting for its first step (or for workers).</summary>
    Pending = 1,

    /// <summary>Meta-training.</summary>
    Training = 2,

    /// <summary>Evaluating on held-out tasks.</summary>
    Evaluating = 3,

    /// <summary>Finished; its summary and files are there.</summary>
    Completed = 4,

    /// <summary>Ended by an error (<see cref="RunResult.Error"/>).</summary>
    Failed = 5,

    /// <summary>Stopped on request.</summary>
    Stopped = 6,
}

/// <summary>Helpers on <see cref="RunState"/>.</summary>
public static class RunStates
{
    /// <summary>True for the states a run never leaves: completed, failed or stopped.</summary>
    public static bool IsFinished(this RunState state) => state is RunState.Completed or RunState.Failed or RunState.Stopped;

    /// <summary>The state's name as the tool prints it (<c>training</c>, <c>completed</c>, …).</summary>
    public static string ToDisplayName(this RunState state) => state.ToString().ToLowerInvariant();
}
