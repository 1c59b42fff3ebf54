using MetaCluster.Protos.DataPlane.V1;
using ResultKind = MetaCluster.Protos.DataPlane.V1.ShardResultHeader.ResultOneofCase;

namespace MetaCluster.DataPlane.Wire;

/// <summary>
/// The shape rules of a result header, by its kind: what every data-plane server (the
/// coordinator's, a relay's) checks before it uses a result, so that nothing malformed reaches a
/// round. One case per kind of result.
/// </summary>
public static class ResultHeaderRules
{
    /// <summary>What is wrong with <paramref name="header"/>, or null when it is well formed.</summary>
    public static string? Problem(ShardResultHeader header)
    {
        if (header.Key is null) return "header.key is missing";
        int tasks = header.TaskIndices.Count;
        return header.ResultCase switch
        {
            ResultKind.None => "header.result is missing: it must say which kind of work it answers",
            ResultKind.TrainGroup => GroupProblem(header),
            _ when tasks == 0 => "header.task_indices is empty",
            ResultKind.Train => TaskValues(header.Train.TaskLosses, header.Train.TaskMetrics, tasks, header.Key.Shard, "train"),
            ResultKind.Evaluate => header.Evaluate.Metrics.Count == 0 || header.Evaluate.Metrics.Count % tasks != 0
                ? $"header.evaluate.metrics has {header.Evaluate.Metrics.Count} values, not a positive multiple of {tasks} tasks" : null,
            ResultKind.Predict => header.Predict.OutcomeCase == PredictResult.OutcomeOneofCase.None ? "header.predict has neither predictions nor an error" : null,
            ResultKind.RelationAdapt => AdaptProblem(header.RelationAdapt, tasks, header.Key.Shard),
            ResultKind.RelationOutputs or ResultKind.RelationBackward => null,
            _ => $"header.result {header.ResultCase} is not a kind of result",
        };
    }

    private static string? TaskValues(IList<double> losses, IList<double> metrics, int tasks, int shard, string kind)
    {
        if (losses.Count != tasks) return $"header.{kind}.task_losses has {losses.Count} values for {tasks} tasks";
        if (metrics.Count != tasks) return $"header.{kind}.task_metrics has {metrics.Count} values for {tasks} tasks";
        if (losses.Any(l => !double.IsFinite(l))) return $"header.{kind}.task_losses of shard {shard} contains NaN or infinity";
        return null;
    }

    private static string? AdaptProblem(RelationAdaptResult adapt, int tasks, int shard)
    {
        if (TaskValues(adapt.TaskLosses, adapt.TaskMetrics, tasks, shard, "relation_adapt") is { } problem) return problem;
        if (adapt.TaskEmbeddings is null || adapt.TaskEmbeddings.Shape.Count != 2 || adapt.TaskEmbeddings.Shape[0] != tasks)
            return $"header.relation_adapt.task_embeddings must be [{tasks}, D]";
        if (adapt.MetaData.Count == 0 || adapt.MetaData.Count % tasks != 0)
            return $"header.relation_adapt.meta_data has {adapt.MetaData.Count} references for {tasks} tasks";
        return null;
    }

    // A group's members: single training shards, keyed like the header for consecutive shards from its own.
    private static string? GroupProblem(ShardResultHeader header)
    {
        var members = header.TrainGroup.Members;
        if (members.Count == 0) return "header.train_group.members is empty";
        if (header.TaskIndices.Count != 0) return "header.task_indices must be empty for a group: each member names its tasks";
        for (int i = 0; i < members.Count; i++)
        {
            var member = members[i];
            if (member.Key is null) return $"header.train_group.members[{i}].key is missing";
            if (member.ResultCase != ResultKind.Train) return $"header.train_group.members[{i}] is not a train result";
            var expected = header.Key.Clone();
            expected.Shard += i;
            if (!member.Key.Equals(expected))
                return $"header.train_group.members[{i}].key is shard {member.Key.Shard} attempt {member.Key.Attempt} of step {member.Key.Step}; expected shard {expected.Shard} attempt {expected.Attempt} of step {expected.Step}";
            if (member.TaskIndices.Count == 0) return $"header.train_group.members[{i}].task_indices is empty";
            if (TaskValues(member.Train.TaskLosses, member.Train.TaskMetrics, member.TaskIndices.Count, member.Key.Shard, $"train_group.members[{i}].train") is { } problem)
                return problem;
        }
        return null;
    }
}
