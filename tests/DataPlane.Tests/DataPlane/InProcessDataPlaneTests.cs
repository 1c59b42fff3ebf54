using Google.Protobuf;
using Grpc.Core;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Services;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;
using MetaCluster.TaskWorker.DataPlane;
using MetaCluster.TaskWorker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using static TorchSharp.torch;
using MetaCluster.DataPlane.Transport;
using DataPlaneContract = MetaCluster.Protos.DataPlane.V1.DataPlane;

namespace MetaCluster.Tests.DataPlane;

/// <summary>
/// The data plane called in process: the worker's own client code (parameter fetch, chunked
/// result stream) against the coordinator's own service, with only the transport removed.
/// </summary>
public sealed class InProcessDataPlaneTests
{
    private const string Url = "http://127.0.0.1:1";

    private sealed record Plane(ParameterPublisher Publisher, AssignmentSecrets Secrets, ShardResultInbox Inbox, ParameterCache Cache, ShardResultSender Sender,
        DataPlaneContract.DataPlaneClient Client);

    private static Plane Create()
    {
        var parameters = new ParameterStore();
        var secrets = new AssignmentSecrets();
        var inbox = new ShardResultInbox();
        var service = new DataPlaneService(parameters, secrets, inbox, new UpstreamGradientStore(), new DataPlaneMetrics());
        // Nothing listens at Url: a call that went to the network would fail.
        var channels = new DataPlaneChannels(Microsoft.Extensions.Options.Options.Create(new WorkerOptions()), local: new InProcessDataPlane(() => Url, () => new InProcessDataPlaneInvoker(service)));
        return new Plane(new ParameterPublisher(parameters, secrets), secrets, inbox, new ParameterCache(channels), new ShardResultSender(channels), channels.Client(Url));
    }

    [Fact]
    public async Task ParametersAndAChunkedGradientGoThroughTheServiceInMemory()
    {
        var plane = Create();
        // Larger than one chunk, so the streams carry several messages each way.
        var theta = Enumerable.Range(0, 3_000_000).Select(i => (float)Math.Sin(i)).ToArray();
        plane.Publisher.Publish("run", 7, theta);
        using var fetched = await plane.Cache.GetAsync(Url, "run", 7, ByteString.CopyFrom(plane.Secrets.Issue("run", 7)), CPU, CancellationToken.None);
        Assert.Equal(theta, fetched.data<float>().ToArray());

        var collector = plane.Inbox.Open("run", step: 7, ShardResultHeader.ResultOneofCase.Train, shards: 1, gradientElements: theta.Length);
        collector.Assign(unit: 0, attempt: 0);
        var header = new ShardResultHeader { Key = new ShardKey { RunId = "run", Step = 7 }, WorkerId = "w", Train = new TrainResult() };
        header.TaskIndices.Add([0, 1]);
        header.Train.TaskLosses.Add([0.5, 0.25]);
        header.Train.TaskMetrics.Add([0.5, 0.25]);
        var ack = await plane.Sender.SendAsync(Url, header, GradientCodec.Encode(theta, DType.Float32, out _), CancellationToken.None);

        Assert.Equal(ShardResultAck.Types.Outcome.Accepted, ack.Outcome);
        Assert.True(collector.Gradient!.IsComplete);
        using (var sum = collector.Gradient.TakeSum()) Assert.Equal(theta, sum.Values);
        Assert.Equal([0.5, 0.25], collector.ShardResults.Single().Train.TaskLosses);
    }

    [Fact]
    public async Task BadResultsAndUnknownVersionsGetTheSameStatusCodesAsOverGrpc()
    {
        var plane = Create();
        var secret = ByteString.CopyFrom(plane.Secrets.Issue("run", 3));
        var missing = await Assert.ThrowsAsync<RpcException>(() => plane.Cache.GetAsync(Url, "run", 3, secret, CPU, CancellationToken.None));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        plane.Inbox.Open("run", step: 1, ShardResultHeader.ResultOneofCase.Train, shards: 1, gradientElements: 4).Assign(unit: 0, attempt: 0);
        var header = new ShardResultHeader { Key = new ShardKey { RunId = "run", Step = 1 }, WorkerId = "w", Train = new TrainResult() };
        header.TaskIndices.Add(0);
        header.Train.TaskLosses.Add(double.NaN);
        header.Train.TaskMetrics.Add(0);
        var invalid = await Assert.ThrowsAsync<RpcException>(() => plane.Sender.SendAsync(Url, header, new byte[16], CancellationToken.None));
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("task_losses", invalid.Status.Detail);
    }

    [Fact]
    public async Task ReadsGoOnlyToALiveSecretOfTheRunInProcessToo()
    {
        var plane = Create();
        plane.Publisher.Publish("run", 7, [1f, 2f]);
        plane.Publisher.Publish("other", 7, [3f, 4f]);
        plane.Publisher.ShareOptimizerState("run", _ => (null, null)); // before Adam's first update: no moments
        var live = ByteString.CopyFrom(plane.Secrets.Issue("run", 7));
        var otherRuns = ByteString.CopyFrom(plane.Secrets.Issue("other", 7));

        foreach (var secret in new[] { ByteString.Empty, ByteString.CopyFrom(new byte[AssignmentSecrets.Bytes]), otherRuns })
            foreach (var status in await ReadAllThree(plane.Client, "run", 7, secret))
                Assert.Equal(StatusCode.PermissionDenied, status);
        // A run or version that does not exist gives nothing away either.
        Assert.All(await ReadAllThree(plane.Client, "nobody", 7, ByteString.Empty), s => Assert.Equal(StatusCode.PermissionDenied, s));
        Assert.All(await ReadAllThree(plane.Client, "run", 7, live), s => Assert.Equal(StatusCode.OK, s));

        // The secret outlives its step by one step of the run, then no longer; and never its run.
        plane.Secrets.Issue("run", 8);
        Assert.All(await ReadAllThree(plane.Client, "run", 7, live), s => Assert.Equal(StatusCode.OK, s));
        plane.Secrets.Issue("run", 9);
        Assert.All(await ReadAllThree(plane.Client, "run", 7, live), s => Assert.Equal(StatusCode.PermissionDenied, s));
        var latest = ByteString.CopyFrom(plane.Secrets.Issue("run", 9));
        plane.Publisher.Remove("run");
        Assert.All(await ReadAllThree(plane.Client, "run", 7, latest), s => Assert.Equal(StatusCode.PermissionDenied, s));
        Assert.Equal(1, plane.Secrets.Runs);
    }

    // The status of GetParameters, GetParameterUpdate and GetOptimizerState of (run, version) read with secret.
    private static async Task<StatusCode[]> ReadAllThree(DataPlaneContract.DataPlaneClient client, string runId, long version, ByteString secret)
    {
        var request = new GetParametersRequest { RunId = runId, Version = version, AssignmentSecret = secret };
        return
        [
            await StatusOf(async () => { using var call = client.GetParameters(request); await foreach (var _ in call.ResponseStream.ReadAllAsync()) { } }),
            await StatusOf(() => client.GetParameterUpdateAsync(request).ResponseAsync),
            await StatusOf(async () => { using var call = client.GetOptimizerState(request); await foreach (var _ in call.ResponseStream.ReadAllAsync()) { } }),
        ];
    }

    private static async Task<StatusCode> StatusOf(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }
}
