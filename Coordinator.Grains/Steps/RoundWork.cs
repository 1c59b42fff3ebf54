using MetaCluster.Protos.DataPlane.V1;
using WorkKind = MetaCluster.Protos.DataPlane.V1.ShardRequest.WorkOneofCase;

namespace MetaCluster.Coordinator.Steps;

/// <summary>
/// What one round asks of every unit it hands out: the run, the round's step number (evaluation and
/// prediction rounds use numbers no training step has), the parameter version to fetch, the tasks in
/// the whole round, the run's spec, where results go, and the kind of work. Immutable: the round
/// makes one per round and the grain boundary turns each assignment into a Protobuf request
/// (<see cref="WorkRequests"/>).
/// </summary>
public sealed record RoundWork(string RunId, long Step, long ParameterVersion, int MetaBatch, RunSpec Spec, string DataPlaneUrl, WorkKind Kind)
{
    /// <summary>Predict rounds: the user's task.</summary>
    public PredictWork? Prediction { get; init; }

    /// <summary>Evaluate rounds: which tasks and inner-step counts (validation rounds set it); null: the evaluation tasks after the spec's eval_inner_steps.</summary>
    public EvaluateWork? Evaluation { get; init; }

    /// <summary>TRLearner's outputs phase: the pooled meta-data X of the whole meta-batch, in task order.</summary>
    public IReadOnlyList<MetaDataRef> PooledMetaData { get; init; } = [];
}

/// <summary>
/// One attempt at one unit of a round: its consecutive shards from <paramref name="FirstShard"/>
/// (one, or a pre-reduction group's), each with its tasks, and, when it runs through a reduction
/// relay, the relay's URL. <paramref name="Secret"/> is the attempt's random secret (issued by
/// <see cref="DataPlane.AssignmentSecrets"/>), which only the assigned worker learns (through the
/// grain call): its result must carry it, and so must its reads of the run's parameters.
/// </summary>
public sealed record ShardAssignment(RoundWork Work, int FirstShard, int Attempt, IReadOnlyList<long[]> Shards, byte[] Secret, string? RelayUrl = null)
{

    /// <summary>Tasks of every shard of the unit.</summary>
    public int Tasks => Shards.Sum(s => s.Length);

    /// <summary>The key the unit's result comes back under.</summary>
    public ShardKey Key => new() { RunId = Work.RunId, Step = Work.Step, Shard = FirstShard, Attempt = Attempt };
}
