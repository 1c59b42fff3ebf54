using System.Security.Cryptography;
using MetaCluster.Protos.DataPlane.V1;
using ResultKind = MetaCluster.Protos.DataPlane.V1.ShardResultHeader.ResultOneofCase;

namespace MetaCluster.DataPlane.Reduction;

/// <summary>
/// The exactly-once core of a round, the same at the coordinator and at a reduction relay: it
/// collects one result of one <see cref="Kind"/> per unit of consecutive shards
/// [<see cref="FirstShard"/>, <see cref="FirstShard"/> + <see cref="Shards"/>), accepting only the
/// attempt currently assigned to the unit; a result for another round, step, kind or attempt, or
/// for a unit already in, is dropped. A unit is one shard, or (<see cref="ResultKind.TrainGroup"/>)
/// <see cref="UnitSize"/> consecutive shards pre-reduced by one worker, whose result covers the
/// whole unit. Gradients are folded in unit order (<see cref="OrderedGradientSum"/>), so the
/// summation order is fixed by (shards, unit size) alone, however units are spread or retried.
/// </summary>
public sealed class UnitCollector : IDisposable
{
    private readonly Lock gate = new();
    private readonly int[] assignedAttempt;
    private readonly byte[]?[] assignedSecret;
    private readonly long[]?[] assignedTasks;
    private readonly ShardResultHeader?[] headers;
    private readonly ShardResultHeader?[] unitResults;
    private readonly (float[] Values, long[] Shape)?[] outputs;
    private readonly TaskCompletionSource[] accepted;
    private readonly TaskCompletionSource allAccepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int acceptedUnits;

    /// <summary>
    /// Opens a collector for results of <paramref name="kind"/> to step <paramref name="step"/> of
    /// <paramref name="runId"/>, for <paramref name="shards"/> shards from <paramref name="firstShard"/>
    /// in units of <paramref name="unitSize"/> (more than one only for train_group results), with a
    /// gradient of <paramref name="gradientElements"/> when the kind carries one; early units'
    /// gradients wait in buffers from <paramref name="buffers"/> when given.
    /// </summary>
    public UnitCollector(string runId, long step, ResultKind kind, int shards, int gradientElements = 0, int unitSize = 1, int firstShard = 0,
        GradientBufferPool? buffers = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(unitSize, 1);
        if (unitSize > 1 && kind != ResultKind.TrainGroup) throw new ArgumentException("only train_group results cover several shards", nameof(unitSize));
        if (ResultKinds.CarriesGradient(kind) != gradientElements > 0) throw new ArgumentException($"{kind} results {(gradientElements > 0 ? "carry no" : "need a")} gradient", nameof(gradientElements));
        RunId = runId;
        Step = step;
        Kind = kind;
        FirstShard = firstShard;
        UnitSize = unitSize;
        assignedAttempt = Enumerable.Repeat(-1, shards).ToArray();
        assignedTasks = new long[]?[shards];
        headers = new ShardResultHeader?[shards];
        unitResults = new ShardResultHeader?[Units];
        assignedSecret = new byte[]?[Units];
        outputs = new (float[], long[])?[Units];
        accepted = Enumerable.Range(0, Units).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        Gradient = gradientElements > 0 ? new OrderedGradientSum(Units, gradientElements, buffers) : null;
    }

    /// <summary>The run.</summary>
    public string RunId { get; }

    /// <summary>The round's step (evaluation and prediction rounds use numbers no training step has).</summary>
    public long Step { get; }

    /// <summary>The kind of result awaited.</summary>
    public ResultKind Kind { get; }

    /// <summary>The first shard.</summary>
    public int FirstShard { get; }

    /// <summary>Number of shards.</summary>
    public int Shards => headers.Length;

    /// <summary>Shards per unit.</summary>
    public int UnitSize { get; }

    /// <summary>Units, whose results arrive (and are folded) one each.</summary>
    public int Units => (Shards + UnitSize - 1) / UnitSize;

    /// <summary>The shards (absolute numbers) of a unit.</summary>
    public Range ShardsOf(int unit) => new(FirstShard + unit * UnitSize, FirstShard + Math.Min(Shards, (unit + 1) * UnitSize));

    /// <summary>The gradient sum, or null for kinds without one.</summary>
    public OrderedGradientSum? Gradient { get; }

    /// <summary>
    /// Makes <paramref name="attempt"/> the only acceptable attempt for every shard of a unit; when
    /// given, its result must also carry <paramref name="secret"/> (sent to the assigned worker over
    /// the control plane alone) and name exactly <paramref name="tasks"/> (each shard's task indices).
    /// </summary>
    public void Assign(int unit, int attempt, byte[]? secret = null, IReadOnlyList<long[]>? tasks = null)
    {
        var shards = ShardsOf(unit);
        if (tasks is not null && tasks.Count != shards.End.Value - shards.Start.Value)
            throw new ArgumentException($"unit {unit} has {shards.End.Value - shards.Start.Value} shards, the assignment {tasks.Count}", nameof(tasks));
        lock (gate)
        {
            assignedSecret[unit] = secret;
            for (int s = shards.Start.Value; s < shards.End.Value; s++)
            {
                assignedAttempt[s - FirstShard] = attempt;
                assignedTasks[s - FirstShard] = tasks?[s - shards.Start.Value];
            }
        }
    }

    /// <summary>Completes when the unit's result is accepted.</summary>
    public Task WhenAccepted(int unit) => accepted[unit].Task;

    /// <summary>True when the unit's result is accepted.</summary>
    public bool IsAccepted(int unit) => accepted[unit].Task.IsCompleted;

    /// <summary>Completes once every unit is accepted.</summary>
    public Task WhenAllAccepted => allAccepted.Task;

    /// <summary>
    /// Whether a result with this header is the one awaited now, and if not, why it is dropped.
    /// Throws <see cref="ArgumentException"/> for a result of this round that does not cover exactly one unit.
    /// </summary>
    public ShardResultAck.Types.Outcome Admit(ShardResultHeader header)
    {
        var key = header.Key;
        if (key.RunId != RunId || key.Step != Step || header.ResultCase != Kind || key.Shard < FirstShard || key.Shard >= FirstShard + Shards)
            return ShardResultAck.Types.Outcome.Stale;
        var unit = CoveredUnit(header);
        lock (gate)
        {
            if (IsAccepted(unit)) return ShardResultAck.Types.Outcome.Duplicate;
            var shards = ShardsOf(unit);
            for (int s = shards.Start.Value; s < shards.End.Value; s++)
                if (assignedAttempt[s - FirstShard] != key.Attempt) return ShardResultAck.Types.Outcome.Stale;
            // Not the assigned worker's result (it would know the secret): not the one awaited.
            if (assignedSecret[unit] is { } secret && !CryptographicOperations.FixedTimeEquals(secret, header.AssignmentSecret.Span))
                return ShardResultAck.Types.Outcome.Stale;
            CheckTasks(header, shards);
            return ShardResultAck.Types.Outcome.Accepted;
        }
    }

    // A result for the right attempt that names other tasks than were assigned is malformed.
    private void CheckTasks(ShardResultHeader header, Range shards)
    {
        var members = header.ResultCase == ResultKind.TrainGroup ? header.TrainGroup.Members : (IList<ShardResultHeader>)[header];
        for (int s = shards.Start.Value; s < shards.End.Value; s++)
            if (assignedTasks[s - FirstShard] is { } tasks && !members[s - shards.Start.Value].TaskIndices.SequenceEqual(tasks))
                throw new ArgumentException($"the result of shard {s} names other tasks than were assigned to it");
    }

    /// <summary>The unit a result covers, checked to be exactly one unit.</summary>
    public int CoveredUnit(ShardResultHeader header)
    {
        int shard = header.Key.Shard, unit = (shard - FirstShard) / UnitSize;
        var shards = ShardsOf(unit);
        int first = shards.Start.Value, end = shards.End.Value;
        int covered = header.ResultCase == ResultKind.TrainGroup ? header.TrainGroup.Members.Count : 1;
        if (shard != first || covered != end - first)
            throw new ArgumentException($"the result covers shards {shard}..{shard + covered - 1}, but this round's unit there is {first}..{end - 1}");
        return unit;
    }

    /// <summary>
    /// Records a fully received result (and its task outputs, for relation_outputs). Returns false
    /// (dropped) if another copy got in first.
    /// </summary>
    public bool Accept(ShardResultHeader header, (float[] Values, long[] Shape)? taskOutputs = null)
    {
        int unit = CoveredUnit(header);
        bool all;
        lock (gate)
        {
            if (IsAccepted(unit)) return false;
            if (header.ResultCase == ResultKind.TrainGroup)
            {
                foreach (var member in header.TrainGroup.Members)
                {
                    // A member without a worker id was run by the group's worker.
                    if (member.WorkerId.Length == 0) member.WorkerId = header.WorkerId;
                    headers[member.Key.Shard - FirstShard] = member;
                }
            }
            else
            {
                headers[header.Key.Shard - FirstShard] = header;
            }
            outputs[unit] = taskOutputs;
            unitResults[unit] = header;
            accepted[unit].TrySetResult();
            all = ++acceptedUnits == Units;
        }
        if (all) allAccepted.TrySetResult();
        return true;
    }

    /// <summary>The accepted results, one per unit in unit order (a group's as it came, with its members).</summary>
    public IReadOnlyList<ShardResultHeader> UnitResults
    {
        get { lock (gate) return unitResults.Select(h => h ?? throw new InvalidOperationException("not every unit is in")).ToArray(); }
    }

    /// <summary>The headers of the accepted shards in shard order (a group's members each under its own shard).</summary>
    public IReadOnlyList<ShardResultHeader> ShardResults
    {
        get { lock (gate) return headers.Select(h => h ?? throw new InvalidOperationException("not every shard is in")).ToArray(); }
    }

    /// <summary>TRLearner's task outputs g_i(X) of each accepted unit, in unit order.</summary>
    public IReadOnlyList<(float[] Values, long[] Shape)> Outputs
    {
        get { lock (gate) return outputs.Select(o => o ?? throw new InvalidOperationException("not every unit's outputs are in")).ToArray(); }
    }

    /// <inheritdoc/>
    public void Dispose() => Gradient?.Dispose();
}
