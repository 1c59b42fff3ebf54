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

namespace MetaCluster.Tests.DataPlane;

/// <summary>
/// The data plane called in process: the worker's own client code (parameter fetch, chunked
/// result stream) against the coordinator's own service, with only the transport removed.
/// </summary>
public sealed class InProcessDataPlaneTests
{
    private const string Url = "http://127.0.0.1:1";

    private sealed record Plane(ParameterPublisher Publisher, ShardResultInbox Inbox, ParameterCache Cache, ShardResultSender Sender);

    private static Plane Create()
    {
        var parameters = new ParameterStore();
        var inbox = new ShardResultInbox();
        var service = new DataPlaneService(parameters, inbox, new UpstreamGradientStore(), new DataPlaneMetrics());
        // Nothing listens at Url: a call that went to the network would fail.
        var channels = new DataPlaneChannels(Microsoft.Extensions.Options.Options.Create(new WorkerOptions()), local: new InProcessDataPlane(() => Url, () => new InProcessDataPlaneInvoker(service)));
        return new Plane(new ParameterPublisher(parameters), inbox, new ParameterCache(channels), new ShardResultSender(channels));
    }

    [Fact]
    public async Task ParametersAndAChunkedGradientGoThroughTheServiceInMemory()
    {
        var plane = Create();
        // Larger than one chunk, so the streams carry several messages each way.
        var theta = Enumerable.Range(0, 3_000_000).Select(i => (float)Math.Sin(i)).ToArray();
        plane.Publisher.Publish("run", 7, theta);
        using var fetched = await plane.Cache.GetAsync(Url, "run", 7, CPU, CancellationToken.None);
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
        var missing = await Assert.ThrowsAsync<RpcException>(() => plane.Cache.GetAsync(Url, "run", 3, CPU, CancellationToken.None));
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
}
