namespace MetaCluster.Bench.Capacity;

/// <summary>
/// What a test sees of a capacity run beyond its figures, and the one fault it may inject: enough
/// to check that the run went through the real rounds (θ at the end, bit for bit what Adam makes of
/// the simulated gradients; a failed assignment retried by the real attempt loop).
/// </summary>
public sealed class CapacityRunProbe
{
    /// <summary>The unit (step, first shard) whose first assignment the simulated workers fail without sending anything; null: none.</summary>
    public (long Step, int Shard)? FailOnce { get; init; }

    /// <summary>Meta-steps run, warm-up included.</summary>
    public int Steps { get; internal set; }

    /// <summary>Units the rounds reassigned over the run.</summary>
    public int Retries { get; internal set; }

    /// <summary>θ after the last step.</summary>
    public float[] FinalTheta { get; internal set; } = [];
}
