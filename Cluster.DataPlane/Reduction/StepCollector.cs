using MetaCluster.DataPlane.Reduction;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.DataPlane.Reduction;

/// <summary>
/// Collects the results of one meta-step (or one evaluation round) of one run, exactly once per
/// shard: only the attempt currently assigned to a shard is accepted; a result for another step,
/// an older attempt, or a shard already accepted is dropped.
/// With a group size k &gt; 1 the shards form units of k consecutive shards (the last may be
/// smaller), each pre-reduced by one worker: a result then covers a whole unit (its header lists the
/// members' headers) and its gradient is the unit's sum, which the step folds in unit order. The
/// summation order is fixed by (shards, k) alone, so results stay identical however units are spread.
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
    /// early shards' gradients wait in buffers from <paramref name="buffers"/> when given; results
    /// come per unit of <paramref name="groupSize"/> consecutive shards.
    /// </summary>
    public StepCollector(string runId, long step, int shards, int gradientElements, ShardPhase phase = ShardPhase.Single, GradientBufferPool? buffers = null,
        int groupSize = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groupSize, 1);
        RunId = runId;
        GroupSize = groupSize;
        Step = step;
        Phase = phase;
        outputs = new (float[], long[])?[shards];
        assignedAttempt = Enumerable.Repeat(-1, shards).ToArray();
        headers = new ShardResultHeader?[shards];
        accepted = Enumerable.Range(0, shards).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        Gradient = gradientElements > 0 ? new OrderedGradientSum(Units, gradientElements, buffers) : null;
    }

    /// <summary>Shards per unit: 1, or the run's pre-reduction group size.</summary>
    public int GroupSize { get; }

    /// <summary>Units of consecutive shards whose results arrive (and are folded) as one.</summary>
    public int Units => (Shards + GroupSize - 1) / GroupSize;

    /// <summary>The unit a shard belongs to.</summary>
    public int UnitOf(int shard) => shard / GroupSize;

    /// <summary>The shards of a unit.</summary>
    public Range ShardsOf(int unit) => new(unit * GroupSize, Math.Min(Shards, (unit + 1) * GroupSize));

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

    /// <summary>
    /// Whether a result with this key, covering <paramref name="members"/> shards (0: a single
    /// shard's result), is the one awaited now, and if not, why it is dropped. Throws
    /// <see cref="ArgumentException"/> for a result of this step that does not cover exactly one unit.
    /// </summary>
    public ShardResultAck.Types.Outcome Admit(ShardKey key, int members = 0)
    {
        lock (gate)
        {
            if (key.RunId != RunId || key.Step != Step || key.Phase != Phase || key.Shard < 0 || key.Shard >= Shards) return ShardResultAck.Types.Outcome.Stale;
            var (first, end) = Covered(key.Shard, members);
            for (int s = first; s < end; s++)
                if (headers[s] is not null) return ShardResultAck.Types.Outcome.Duplicate;
            for (int s = first; s < end; s++)
                if (assignedAttempt[s] != key.Attempt) return ShardResultAck.Types.Outcome.Stale;
            return ShardResultAck.Types.Outcome.Accepted;
        }
    }

    // The shards a result covers, checked to be exactly one unit.
    private (int First, int End) Covered(int shard, int members)
    {
        var unit = ShardsOf(UnitOf(shard));
        int first = unit.Start.Value, end = unit.End.Value;
        if (members == 0 && end - first != 1)
            throw new ArgumentException($"this step pre-reduces groups of {GroupSize} shards: shard {shard}'s result must come as its group's ({first}..{end - 1}) with header.members");
        if (members > 0 && (shard != first || members != end - first))
            throw new ArgumentException($"header.members covers shards {shard}..{shard + members - 1}, but this step's group there is {first}..{end - 1}");
        return (first, end);
    }

    /// <summary>
    /// Records a fully received result: one shard's, or a unit's (its members' headers, each under
    /// its own shard). Returns false (dropped) if another copy got in first.
    /// </summary>
    public bool Accept(ShardResultHeader header, (float[] Values, long[] Shape)? taskOutputs = null)
    {
        var shardHeaders = header.Members.Count == 0 ? [header] : header.Members.ToArray();
        lock (gate)
        {
            if (shardHeaders.Any(h => headers[h.Key.Shard] is not null)) return false;
            foreach (var h in shardHeaders)
            {
                if (h.WorkerId.Length == 0) h.WorkerId = header.WorkerId;
                headers[h.Key.Shard] = h;
            }
            // A group's saturated elements belong to its summed gradient: count them once, with its first member.
            if (header.Members.Count > 0) shardHeaders[0].GradientSaturated += header.GradientSaturated;
            outputs[header.Key.Shard] = taskOutputs;
        }
        foreach (var h in shardHeaders) accepted[h.Key.Shard].TrySetResult();
        return true;
    }

    /// <summary>TRLearner's task outputs g_i(X) of each accepted shard, in shard order.</summary>
    public IReadOnlyList<(float[] Values, long[] Shape)> Outputs
    {
        get { lock (gate) return outputs.Select(o => o ?? throw new InvalidOperationException("not every shard's outputs are in")).ToArray(); }
    }
}
