using MetaCluster.Protos.DataPlane.V1;
using WorkKind = MetaCluster.Protos.DataPlane.V1.ShardRequest.WorkOneofCase;

namespace MetaCluster.Coordinator.Steps;

/// <summary>The grain boundary's one translation: an assignment as the versioned Protobuf request a worker reads.</summary>
public static class WorkRequests
{
    /// <summary>The request for <paramref name="assignment"/>, carrying <paramref name="traceParent"/> (the assigning span).</summary>
    public static ShardRequest ToProto(ShardAssignment assignment, string traceParent)
    {
        var work = assignment.Work;
        var request = new ShardRequest
        {
            Key = assignment.Key,
            ParameterVersion = work.ParameterVersion,
            MetaBatch = work.MetaBatch,
            Spec = work.Spec,
            DataPlaneUrl = assignment.RelayUrl ?? work.DataPlaneUrl,
            UpstreamUrl = assignment.RelayUrl is null ? "" : work.DataPlaneUrl,
            TraceParent = traceParent,
            AssignmentSecret = Google.Protobuf.ByteString.CopyFrom(assignment.Secret),
        };
        if (work.Kind != WorkKind.TrainGroup)
        {
            if (assignment.Shards.Count != 1) throw new ArgumentException($"{work.Kind} work covers one shard, not {assignment.Shards.Count}");
            request.TaskIndices.AddRange(assignment.Shards[0]);
        }
        switch (work.Kind)
        {
            case WorkKind.Train: request.Train = new TrainWork(); break;
            case WorkKind.TrainGroup:
                request.TrainGroup = new TrainGroupWork();
                for (int i = 0; i < assignment.Shards.Count; i++)
                {
                    var member = new GroupMember { Shard = assignment.FirstShard + i };
                    member.TaskIndices.AddRange(assignment.Shards[i]);
                    request.TrainGroup.Members.Add(member);
                }
                break;
            case WorkKind.Evaluate: request.Evaluate = work.Evaluation ?? new EvaluateWork(); break;
            case WorkKind.Predict: request.Predict = work.Prediction ?? throw new ArgumentException("a predict round needs the user's task"); break;
            case WorkKind.RelationAdapt: request.RelationAdapt = new RelationAdaptWork(); break;
            case WorkKind.RelationOutputs:
                request.RelationOutputs = new RelationOutputsWork();
                request.RelationOutputs.PooledMetaData.AddRange(work.PooledMetaData);
                break;
            case WorkKind.RelationBackward: request.RelationBackward = new RelationBackwardWork(); break;
            default: throw new ArgumentException($"no kind of work: {work.Kind}");
        }
        return request;
    }
}
