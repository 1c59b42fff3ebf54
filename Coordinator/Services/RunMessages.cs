using System.Globalization;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Definitions;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Protos.Api.V1;
using ApiRunState = MetaCluster.Protos.Api.V1.RunState;
using RunState = MetaCluster.Abstractions.RunState;

namespace MetaCluster.Coordinator.Services;

/// <summary>A run's status and record as the API's messages.</summary>
public static class RunMessages
{
    /// <summary>Its progress.</summary>
    public static RunProgress Progress(RunStatus s, RunRecord? record)
    {
        var progress = new RunProgress
        {
            RunId = s.RunId, State = Map(s.State), Step = s.Step, MetaSteps = s.MetaSteps, Loss = s.Loss,
            TasksPerSecond = s.TasksPerSecond, Workers = s.Workers, ElapsedSeconds = s.ElapsedSeconds, EtaSeconds = s.EtaSeconds,
            Name = record?.Name ?? "", Error = s.Error ?? "",
            Created = record is null ? "" : record.Created.ToString("O", CultureInfo.InvariantCulture),
        };
        if (record is not null) foreach (var (key, value) in record.Tags) progress.Tags[key] = value;
        if (s.ValidationStep > 0)
        {
            progress.ValidationStep = s.ValidationStep;
            progress.ValidationValue = s.ValidationValue;
            progress.ValidationMetric = s.ValidationMetric ?? "";
            progress.BestStep = s.BestStep;
            progress.BestValue = s.BestValue;
        }
        return progress;
    }

    /// <summary>Its result, once it has ended.</summary>
    public static RunResult Result(RunStatus status) => new()
    {
        RunId = status.RunId, State = Map(status.State), Error = status.Error ?? "", SummaryJson = status.SummaryJson ?? "",
    };

    /// <summary>All the API says about one run.</summary>
    public static RunInfo Info(RunStatus status, RunRecord? record, Abstractions.RunDefinition? definition)
    {
        var info = new RunInfo
        {
            Progress = Progress(status, record),
            Name = record?.Name ?? "",
            SummaryJson = status.SummaryJson ?? "",
            Error = status.Error ?? "",
            Created = record is null ? "" : record.Created.ToString("O", CultureInfo.InvariantCulture),
        };
        if (definition is not null) info.Definition = ApiRunDefinitions.ToApi(definition);
        if (record is not null) foreach (var (key, value) in record.Tags) info.Tags[key] = value;
        return info;
    }

    private static ApiRunState Map(RunState state) => state switch
    {
        RunState.Pending => ApiRunState.Pending,
        RunState.Training => ApiRunState.Training,
        RunState.Evaluating => ApiRunState.Evaluating,
        RunState.Completed => ApiRunState.Completed,
        RunState.Failed => ApiRunState.Failed,
        RunState.Stopped => ApiRunState.Stopped,
        _ => ApiRunState.Unspecified,
    };
}
