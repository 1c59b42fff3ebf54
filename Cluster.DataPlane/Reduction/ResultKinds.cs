using ResultKind = MetaCluster.Protos.DataPlane.V1.ShardResultHeader.ResultOneofCase;
using WorkKind = MetaCluster.Protos.DataPlane.V1.ShardRequest.WorkOneofCase;

namespace MetaCluster.DataPlane.Reduction;

/// <summary>What each kind of result brings after its header, and which work it answers.</summary>
public static class ResultKinds
{
    /// <summary>Whether a gradient stream follows a header of this kind.</summary>
    public static bool CarriesGradient(ResultKind kind) => kind is ResultKind.Train or ResultKind.TrainGroup or ResultKind.RelationBackward;

    /// <summary>Whether a task-output stream follows a header of this kind.</summary>
    public static bool CarriesOutputs(ResultKind kind) => kind == ResultKind.RelationOutputs;

    /// <summary>The kind of result that answers a kind of work.</summary>
    public static ResultKind Answering(WorkKind work) => work switch
    {
        WorkKind.Train => ResultKind.Train,
        WorkKind.TrainGroup => ResultKind.TrainGroup,
        WorkKind.Evaluate => ResultKind.Evaluate,
        WorkKind.Predict => ResultKind.Predict,
        WorkKind.RelationAdapt => ResultKind.RelationAdapt,
        WorkKind.RelationOutputs => ResultKind.RelationOutputs,
        WorkKind.RelationBackward => ResultKind.RelationBackward,
        _ => throw new ArgumentException("the request names no kind of work", nameof(work)),
    };
}
