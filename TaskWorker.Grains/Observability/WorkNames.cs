using WorkKind = MetaCluster.Protos.DataPlane.V1.ShardRequest.WorkOneofCase;

namespace MetaCluster.TaskWorker.Observability;

/// <summary>The names kinds of work go by in spans and metrics, as the proto spells its cases.</summary>
public static class WorkNames
{
    /// <summary>The name of a kind of work.</summary>
    public static string Of(WorkKind kind) => kind switch
    {
        WorkKind.Train => "train",
        WorkKind.TrainGroup => "train_group",
        WorkKind.Evaluate => "evaluate",
        WorkKind.Predict => "predict",
        WorkKind.RelationAdapt => "relation_adapt",
        WorkKind.RelationOutputs => "relation_outputs",
        WorkKind.RelationBackward => "relation_backward",
        _ => "none",
    };
}
