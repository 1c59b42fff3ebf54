using System.Text.Json;
using Grpc.Core;
using MetaCluster.ServiceDefaults.Options;
using MetaCluster.Coordinator.Cli;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Coordinator.Security;
using MetaCluster.Protos.Api.V1;
using MetaCluster.Abstractions;
using ApiRunState = MetaCluster.Protos.Api.V1.RunState;
using RunState = MetaCluster.Abstractions.RunState;

namespace MetaCluster.Coordinator.Services;

/// <summary>The public API: thin mapping between proto messages and <see cref="RunManager"/>.</summary>
public sealed class ClusterApiService(RunManager runs, IGrainFactory grains, Predictor predictor, ServeSettings settings) : ClusterApi.ClusterApiBase
{
    /// <summary>How long <c>ListWorkers</c> waits for the registry before answering Unavailable.</summary>
    public static readonly TimeSpan ListWorkersBudget = TimeSpan.FromSeconds(8);

    // Chosen by the coordinator in cluster mode, not by the client.
    private static readonly string[] ServerOwned = ["out", "resume", "threads", "config"];

    /// <inheritdoc/>
    public override async Task<StartRunResponse> StartRun(StartRunRequest request, ServerCallContext context)
    {
        if (request.Options.Keys.FirstOrDefault(k => ServerOwned.Contains(k)) is { } owned)
            throw Invalid($"option '{owned}' is set by the coordinator in cluster mode");
        TrainOptions options;
        try
        {
            options = ParseOptions(request.Options);
        }
        catch (UsageException e)
        {
            throw Invalid(e.Message);
        }
        var run = options.Run;
        var paths = run.Data.Concat(run.EvalData).Concat(run.EvalClasses is null ? [] : [run.EvalClasses]);
        if (DataRoots.Violation(paths, settings.DataRoots) is { } violation) throw Invalid(violation);
        return new StartRunResponse { RunId = await runs.StartRunAsync(run) };
    }

    /// <inheritdoc/>
    public override async Task WatchRun(WatchRunRequest request, IServerStreamWriter<WatchRunEvent> responseStream, ServerCallContext context)
    {
        RequireRun(request.RunId);
        RunStatus? last = null;
        while (true)
        {
            var status = await runs.StatusAsync(request.RunId);
            if (status.IsFinished)
            {
                await responseStream.WriteAsync(new WatchRunEvent { Result = ToResult(status) }, context.CancellationToken);
                return;
            }
            if (last is null || status.Step != last.Step || status.State != last.State)
                await responseStream.WriteAsync(new WatchRunEvent { Progress = ToProgress(status) }, context.CancellationToken);
            last = status;
            await Task.Delay(250, context.CancellationToken);
        }
    }

    /// <inheritdoc/>
    public override async Task<StopRunResponse> StopRun(StopRunRequest request, ServerCallContext context)
    {
        RequireRun(request.RunId);
        await runs.StopAsync(request.RunId);
        return new StopRunResponse();
    }

    /// <inheritdoc/>
    public override async Task<ListRunsResponse> ListRuns(ListRunsRequest request, ServerCallContext context)
    {
        var response = new ListRunsResponse();
        foreach (var id in runs.RunIds())
            response.Runs.Add(ToProgress(await runs.StatusAsync(id)));
        return response;
    }

    /// <inheritdoc/>
    public override async Task<GetRunSummaryResponse> GetRunSummary(GetRunSummaryRequest request, ServerCallContext context)
    {
        RequireRun(request.RunId);
        var status = await runs.StatusAsync(request.RunId);
        return status.SummaryJson is { } summary
            ? new GetRunSummaryResponse { SummaryJson = summary }
            : throw new RpcException(new Status(StatusCode.FailedPrecondition, $"run '{request.RunId}' is {status.State.ToString().ToLowerInvariant()}: no summary yet"));
    }

    /// <inheritdoc/>
    public override async Task<ListWorkersResponse> ListWorkers(ListWorkersRequest request, ServerCallContext context)
    {
        var response = new ListWorkersResponse();
        var registry = grains.GetGrain<IWorkerRegistryGrain>(0);
        IReadOnlyList<WorkerRegistration> workers;
        try
        {
            // Bounded: a registry behind a paused or dying silo must not hold the caller for Orleans' 30 s.
            workers = await TransientGrainCalls.RetryAsync(() => registry.GetWorkersAsync().WaitAsync(ListWorkersBudget), ListWorkersBudget, context.CancellationToken)
                .WaitAsync(ListWorkersBudget, context.CancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or OperationCanceledException && !context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"the worker registry did not answer within {ListWorkersBudget.TotalSeconds:0} s ({e.Message}); try again"));
        }
        foreach (var w in workers)
            response.Workers.Add(new WorkerInfo { WorkerId = w.WorkerId, Device = w.Device, Silo = w.Silo });
        return response;
    }

    /// <inheritdoc/>
    public override async Task<AdaptAndPredictResponse> AdaptAndPredict(AdaptAndPredictRequest request, ServerCallContext context)
    {
        RequireRun(request.RunId);
        foreach (var (tensor, field) in new[] { (request.SupportX, "support_x"), (request.SupportY, "support_y"), (request.QueryX, "query_x") })
            if (Predictor.Problem(tensor, field) is { } problem) throw Invalid(problem);
        if (request.InnerSteps < 0 || request.InnerSteps > 10_000) throw Invalid($"inner_steps must be between 0 and 10000, got {request.InnerSteps}");
        var directory = runs.Directory(request.RunId);
        string final = Path.Combine(directory.Path, "checkpoints", "final.ckpt");
        if (!File.Exists(final))
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"run '{request.RunId}' has not finished: no final checkpoint to adapt"));
        var checkpoint = MetaCluster.Coordinator.Checkpoints.Checkpoint.Load(final);
        var run = checkpoint.Definition;
        int steps = request.InnerSteps > 0 ? request.InnerSteps : run.EvalInnerSteps.Max();
        var prediction = await predictor.PredictAsync(run, checkpoint.Theta, request.SupportX, request.SupportY, request.QueryX, steps, context.CancellationToken);
        if (prediction.Error is not null) throw Invalid(prediction.Error);
        return new AdaptAndPredictResponse { Predictions = prediction.Values, WorkerId = prediction.WorkerId };
    }

    /// <summary>A request's options as train parses them; a repeated option's values are newline-joined.</summary>
    public static TrainOptions ParseOptions(IEnumerable<KeyValuePair<string, string>> options) =>
        TrainOptions.Parse(options.SelectMany(kv => kv.Value.Split('\n').Select(v => $"--{kv.Key}={v}")));

    private void RequireRun(string runId)
    {
        if (string.IsNullOrEmpty(runId)) throw Invalid("run_id is required");
        if (!runs.Exists(runId)) throw new RpcException(new Status(StatusCode.NotFound, $"no run '{runId}'"));
    }

    private RunResult ToResult(RunStatus status) => new()
    {
        RunId = status.RunId,
        State = Map(status.State),
        Error = status.Error ?? "",
        SummaryJson = status.SummaryJson ?? "",
        MetricsJsonl = runs.Directory(status.RunId).ReadMetrics(),
        RelationJson = runs.Directory(status.RunId).ReadText("relation.json"),
    };

    private static RunProgress ToProgress(RunStatus s) => new()
    {
        RunId = s.RunId, State = Map(s.State), Step = s.Step, MetaSteps = s.MetaSteps, Loss = s.Loss,
        TasksPerSecond = s.TasksPerSecond, Workers = s.Workers, ElapsedSeconds = s.ElapsedSeconds, EtaSeconds = s.EtaSeconds,
    };

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

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
