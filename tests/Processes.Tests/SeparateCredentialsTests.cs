using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using MetaCluster.Protos.Api.V1;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Tests.Processes;

/// <summary>
/// Users and workers hold different tokens: a user's cannot reach the data plane (results,
/// parameters, optimiser state), a worker's cannot start, list or stop runs nor read a run's
/// parameters without an assignment's secret, and the workers that hold theirs are admitted and train.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class SeparateCredentialsTests(RedisFixture redis)
{
    [Fact]
    public async Task AUserTokenCannotCallTheDataPlaneAndAWorkerTokenCannotCallThePublicApi()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = new ProcessCluster(redis.Address, token: "user-secret", name: "roles") { WorkerToken = "worker-secret" };
        await cluster.StartCoordinatorAsync();
        await cluster.StartWorkerAsync(expectedWorkers: 1);
        string runId = await cluster.SubmitAsync(FaultRuns.Options(steps: 200_000));
        await cluster.WaitForStepAsync(runId, 2, FaultRuns.RunTimeout);

        using var channel = GrpcChannel.ForAddress(cluster.ApiUrl);
        CallInvoker As(string token) => channel.Intercept(m => { m.Add("authorization", $"Bearer {token}"); return m; });

        // The user's token on the data plane: θ and Adam's moments stay out of reach.
        var userOnDataPlane = new MetaCluster.Protos.DataPlane.V1.DataPlane.DataPlaneClient(As("user-secret"));
        foreach (var call in new Func<Task>[]
                 {
                     () => Drain(userOnDataPlane.GetParameters(new GetParametersRequest { RunId = runId, Version = 1 }, cancellationToken: ct)),
                     () => Drain(userOnDataPlane.GetOptimizerState(new GetParametersRequest { RunId = runId, Version = 1 }, cancellationToken: ct)),
                 })
            Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(call)).StatusCode);

        // The workers' token on the data plane, without the secret of a live assignment of the run:
        // θ and Adam's moments stay out of reach too.
        var workerOnDataPlane = new MetaCluster.Protos.DataPlane.V1.DataPlane.DataPlaneClient(As("worker-secret"));
        foreach (var call in new Func<Task>[]
                 {
                     () => Drain(workerOnDataPlane.GetParameters(new GetParametersRequest { RunId = runId, Version = 1 }, cancellationToken: ct)),
                     () => workerOnDataPlane.GetParameterUpdateAsync(new GetParametersRequest { RunId = runId, Version = 1 }, cancellationToken: ct).ResponseAsync,
                     () => Drain(workerOnDataPlane.GetOptimizerState(new GetParametersRequest { RunId = runId, Version = 1 }, cancellationToken: ct)),
                 })
            Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(call)).StatusCode);

        // The workers' token on the public API.
        var workerOnApi = new ClusterApi.ClusterApiClient(As("worker-secret"));
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() =>
            workerOnApi.StartRunAsync(new StartRunRequest { Definition = FaultRuns.Options(steps: 5), RequestId = "w" }, cancellationToken: ct).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() =>
            workerOnApi.ListRunsAsync(new ListRunsRequest(), cancellationToken: ct).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() =>
            workerOnApi.StopRunAsync(new StopRunRequest { RunId = runId }, cancellationToken: ct).ResponseAsync)).StatusCode);
        // Neither token: unauthenticated.
        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(() =>
            Drain(new MetaCluster.Protos.DataPlane.V1.DataPlane.DataPlaneClient(As("guess")).GetParameters(new GetParametersRequest { RunId = runId, Version = 1 }, cancellationToken: ct)))).StatusCode);

        // The run, trained by a worker holding the workers' token, goes on; the user stops it.
        long before = (await cluster.Client.GetRunAsync(new GetRunRequest { RunId = runId }, cancellationToken: ct)).Progress.Step;
        await cluster.WaitForStepAsync(runId, before + 2, FaultRuns.RunTimeout);
        await cluster.Client.StopRunAsync(new StopRunRequest { RunId = runId }, cancellationToken: ct);
        Assert.Equal(RunState.Stopped, (await cluster.WatchToEndAsync(runId, FaultRuns.RunTimeout)).State);
    }

    private static async Task Drain(AsyncServerStreamingCall<TensorChunk> call)
    {
        using (call)
            await foreach (var _ in call.ResponseStream.ReadAllAsync()) { }
    }
}
