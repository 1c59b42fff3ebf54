using Google.Protobuf;
using Grpc.Core;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Definitions;
using MetaCluster.Coordinator.Output;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Protos.Api.V1;
using RunDefinition = MetaCluster.Abstractions.RunDefinition;

namespace MetaCluster.Coordinator.Services;

/// <summary>
/// The public API: a thin mapping between proto messages and <see cref="RunManager"/>. Every run
/// definition goes through the same rules as <c>train</c>'s (<see cref="RunDefinitionRules"/>,
/// <see cref="RunDataChecks"/> against the data roots); bad input is INVALID_ARGUMENT naming the
/// field, before anything starts.
/// </summary>
public sealed class ClusterApiService(RunManager runs, IGrainFactory grains, Predictor predictor, ServeSettings settings) : ClusterApi.ClusterApiBase
{
    private const int ChunkBytes = 64 << 10;

    /// <summary>How long <c>ListWorkers</c> waits for the registry before answering Unavailable.</summary>
    public static readonly TimeSpan ListWorkersBudget = TimeSpan.FromSeconds(8);

    /// <inheritdoc/>
    public override async Task<StartRunResponse> StartRun(StartRunRequest request, ServerCallContext context)
    {
        var record = RunRequests.Check(request);
        RunDefinition run;
        try
        {
            run = ApiRunDefinitions.ToRecord(request.Definition ?? new());
            RunDefinitionRules.Check(run, FieldNames.Api, settings.Limits);
            // Builds the task family as the run will (decoding an image set takes a moment): off the request thread.
            await Task.Run(() => RunDataChecks.Check(run, FieldNames.Api, settings.DataRoots, settings.Limits), context.CancellationToken);
            var (runId, created) = await runs.StartRunAsync(run, record);
            return new StartRunResponse { RunId = runId, Created = created };
        }
        catch (Exception e) when (e is InvalidRunDefinitionException or ArgumentException)
        {
            throw Invalid(e.Message);
        }
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
                await responseStream.WriteAsync(new WatchRunEvent { Result = RunMessages.Result(status) }, context.CancellationToken);
                return;
            }
            if (last is null || status.Step != last.Step || status.State != last.State)
                await responseStream.WriteAsync(new WatchRunEvent { Progress = RunMessages.Progress(status, runs.Record(request.RunId)) }, context.CancellationToken);
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
        int size = request.PageSize == 0 ? 100 : request.PageSize;
        if (size is < 1 or > 1000) throw Invalid($"page_size must be between 1 and 1000, got {request.PageSize}");
        if (request.PageToken.Length > 0 && !RunManager.IsValidId(request.PageToken)) throw Invalid("page_token is not one this coordinator gave");
        // Newest first; a page token is the last run id of the previous page.
        var ids = runs.RunIds(request.Tags).Where(id => request.PageToken.Length == 0 || string.CompareOrdinal(id, request.PageToken) < 0).ToArray();
        var response = new ListRunsResponse();
        foreach (var id in ids.Take(size))
            response.Runs.Add(RunMessages.Progress(await runs.StatusAsync(id), runs.Record(id)));
        if (ids.Length > size) response.NextPageToken = ids[size - 1];
        return response;
    }

    /// <inheritdoc/>
    public override async Task<RunInfo> GetRun(GetRunRequest request, ServerCallContext context)
    {
        RequireRun(request.RunId);
        return RunMessages.Info(await runs.StatusAsync(request.RunId), runs.Record(request.RunId), runs.Definition(request.RunId));
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
        if (request.HasInnerSteps && request.InnerSteps is < 0 or > 10_000) throw Invalid($"inner_steps must be between 0 and 10000, got {request.InnerSteps}");
        string final = Path.Combine(runs.Directory(request.RunId).Path, "checkpoints", "final.ckpt");
        if (!File.Exists(final))
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"run '{request.RunId}' has not finished: no final checkpoint to adapt"));
        Checkpoint checkpoint;
        try { checkpoint = Checkpoint.Load(final); }
        catch (InvalidDataException e) { throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message)); }
        var run = checkpoint.Definition;
        int steps = request.HasInnerSteps ? request.InnerSteps : run.EvalInnerSteps.Max();
        var prediction = await predictor.PredictAsync(run, checkpoint.ModelTheta(), request.SupportX, request.SupportY, request.QueryX, steps, context.CancellationToken);
        if (prediction.Error is not null) throw Invalid(prediction.Error);
        return new AdaptAndPredictResponse { Predictions = prediction.Values, WorkerId = prediction.WorkerId };
    }

    /// <inheritdoc/>
    public override Task<ListRunFilesResponse> ListRunFiles(ListRunFilesRequest request, ServerCallContext context)
    {
        RequireRun(request.RunId);
        var response = new ListRunFilesResponse();
        foreach (var (path, size) in RunDirectoryFiles.List(runs.Directory(request.RunId).Path))
            response.Files.Add(new RunFile { Path = path, Size = size });
        return Task.FromResult(response);
    }

    /// <inheritdoc/>
    public override async Task DownloadRunFile(DownloadRunFileRequest request, IServerStreamWriter<FileChunk> responseStream, ServerCallContext context)
    {
        RequireRun(request.RunId);
        FileStream file;
        try { file = RunDirectoryFiles.Open(runs.Directory(request.RunId).Path, request.Path); }
        catch (FileNotFoundException e) { throw new RpcException(new Status(StatusCode.NotFound, e.Message)); }
        await using (file)
        {
            long size = file.Length;
            if (request.Offset < 0 || request.Offset > size) throw Invalid($"offset {request.Offset} is outside '{request.Path}' ({size} bytes)");
            file.Position = request.Offset;
            var buffer = new byte[ChunkBytes];
            int read;
            do
            {
                long offset = file.Position;
                read = await file.ReadAsync(buffer, context.CancellationToken);
                await responseStream.WriteAsync(new FileChunk { Size = size, Offset = offset, Data = ByteString.CopyFrom(buffer, 0, read) }, context.CancellationToken);
            }
            while (read > 0 && file.Position < size);
        }
    }

    private void RequireRun(string runId)
    {
        if (string.IsNullOrEmpty(runId)) throw Invalid("run_id is required");
        if (!runs.Exists(runId)) throw new RpcException(new Status(StatusCode.NotFound, $"no run '{(runId.Length <= 64 ? runId : runId[..64] + "…")}'"));
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
