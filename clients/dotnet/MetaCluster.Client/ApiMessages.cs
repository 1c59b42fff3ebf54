using System.Globalization;
using Api = MetaCluster.Protos.Api.V1;

namespace MetaCluster.Client;

/// <summary>The API's messages as this library's records.</summary>
internal static class ApiMessages
{
    public static RunState State(Api.RunState state) => state switch
    {
        Api.RunState.Pending => RunState.Pending,
        Api.RunState.Training => RunState.Training,
        Api.RunState.Evaluating => RunState.Evaluating,
        Api.RunState.Completed => RunState.Completed,
        Api.RunState.Failed => RunState.Failed,
        Api.RunState.Stopped => RunState.Stopped,
        _ => RunState.Unknown,
    };

    public static RunProgress Progress(Api.RunProgress p) => new(
        p.RunId, p.Name, State(p.State), p.Step, p.MetaSteps, p.Loss, p.TasksPerSecond, p.Workers, Seconds(p.ElapsedSeconds), Seconds(p.EtaSeconds));

    public static RunResult Result(Api.RunResult r) => new(r.RunId, State(r.State), r.Error, r.SummaryJson);

    public static RunUpdate Update(Api.WatchRunEvent e) => e.EventCase switch
    {
        Api.WatchRunEvent.EventOneofCase.Progress => new RunProgressed(Progress(e.Progress)),
        Api.WatchRunEvent.EventOneofCase.Result => new RunEnded(Result(e.Result)),
        _ => throw new MetaClusterException(Grpc.Core.StatusCode.Internal, "the coordinator sent an empty watch event"),
    };

    public static RunInfo Info(Api.RunInfo i) => new(
        Progress(i.Progress ?? new Api.RunProgress()),
        i.Definition is null ? null : RunDefinitionMapper.FromApi(i.Definition),
        i.Name,
        new Dictionary<string, string>(i.Tags),
        i.SummaryJson,
        i.Error,
        DateTimeOffset.TryParse(i.Created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created) ? created : null);

    public static WorkerInfo Worker(Api.WorkerInfo w) => new(w.WorkerId, w.Device, w.Silo);

    // Seconds from the wire may be anything a float can hold; a TimeSpan cannot.
    private static TimeSpan Seconds(double seconds) =>
        double.IsFinite(seconds) && Math.Abs(seconds) < TimeSpan.MaxValue.TotalSeconds / 2 ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero;
}
