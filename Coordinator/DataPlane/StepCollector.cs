using MetaCluster.Coordinator.Aggregation;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Coordinator.DataPlane;

/// <summary>
/// Collects the results of one meta-step (or one evaluation round) of one run, exactly once per
/// shard: only the attempt currently assigned to a shard is accepted; a result for another step,
/// an older attempt, or a shard already accepted is dropped.
/// </summary>
public sealed class StepCollector
{
    private readonly Lock gate = new();
    private readonly int[] assignedAttempt;
    private readonly ShardResultHeader?[] headers;
    private readonly TaskCompletionSource[] accepted;
    private readonly (float[] Values, long[] Shape)?[] outputs;

    /// <summary>
    /// Opens a collector for <paramref name="shards"/> shards, with a gradient of
    /// <paramref name="gradientElements"/> (0: none), for results of <paramref name="phase"/>;
    /// early shards' gradients wait in buffers from <paramref name="buffers"/> when given.
    /// </summary>
    public StepCollector(string runId, long step, int shards, int gradientElements, ShardPhase phase = ShardPhase.Single, GradientBufferPool? buffers = null)
    {
        RunId = runId;
        Step = step;
        Phase = phase;
        outputs = new (float[], long[])?[shards];
        assignedAttempt = Enumerable.Repeat(-1, shards).ToArray();
        headers = new ShardResultHeader?[shards];
        accepted = Enumerable.Range(0, shards).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        Gradient = gradientElements > 0 ? new OrderedGradientSum(shards, gradientElements, buffers) : null;
    }

    /// <summary>The run.</summary>
    public string RunId { get; }

    /// <summary>The step.</summary>
    public long Step { get; }

    /// <summary>The phase whose results are accepted.</summary>
    public ShardPhase Phase { get; }

    /// <summary>Whether results carry TRLearner's task outputs g_i(X).</summary>
    public bool ExpectsOutputs => Phase == ShardPhase.RelationOutputs;

    /// <summary>Number of shards.</summary>
    public int Shards => headers.Length;

    /// <summary>The gradient sum, or null for evaluation rounds.</summary>
    public OrderedGradientSum? Gradient { get; }

    /// <summary>Makes <paramref name="attempt"/> the only acceptable attempt for a shard.</summary>
    public void Assign(int shard, int attempt)
    {
        lock (gate) assignedAttempt[shard] = attempt;
    }

    /// <summary>Completes when the shard's result is accepted.</summary>
    public Task WhenAccepted(int shard) => accepted[shard].Task;

    /// <summary>True when the shard's result is accepted.</summary>
    public bool IsAccepted(int shard) => accepted[shard].Task.IsCompleted;

    /// <summary>Headers of accepted shards, in shard order.</summary>
    public IReadOnlyList<ShardResultHeader> Headers
    {
        get { lock (gate) return headers.Select(h => h ?? throw new InvalidOperationException("not every shard is in")).ToArray(); }
    }

    /// <summary>Whether a result with this key is the one awaited now, and if not, why it is dropped.</summary>
    public ShardResultAck.Types.Outcome Admit(ShardKey key)
    {
        lock (gate)
        {
            if (key.RunId != RunId || key.Step != Step || key.Phase != Phase || key.Shard < 0 || key.Shard >= Shards) return ShardResultAck.Types.Outcome.Stale;
            if (headers[key.Shard] is not null) return ShardResultAck.Types.Outcome.Duplicate;
            if (assignedAttempt[key.Shard] != key.Attempt) return ShardResultAck.Types.Outcome.Stale;
            return ShardResultAck.Types.Outcome.Accepted;
        }
    }

    /// <summary>
    /// Records a fully received shard. Returns false (dropped) if another copy got in first.
    /// </summary>
    public bool Accept(ShardResultHeader header, (float[] Values, long[] Shape)? taskOutputs = null)
    {
        lock (gate)
        {
            if (headers[header.Key.Shard] is not null) return false;
            headers[header.Key.Shard] = header;
            outputs[header.Key.Shard] = taskOutputs;
        }
        accepted[header.Key.Shard].TrySetResult();
        return true;
    }

    /// <summary>TRLearner's task outputs g_i(X) of each accepted shard, in shard order.</summary>
    public IReadOnlyList<(float[] Values, long[] Shape)> Outputs
    {
        get { lock (gate) return outputs.Select(o => o ?? throw new InvalidOperationException("not every shard's outputs are in")).ToArray(); }
    }
}
