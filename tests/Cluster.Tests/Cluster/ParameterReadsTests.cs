using Grpc.Core;
using Grpc.Net.Client;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Embedded;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.Testing.Embedded;
using MetaCluster.Testing.Faults;
using Microsoft.Extensions.DependencyInjection;
using DataPlaneContract = MetaCluster.Protos.DataPlane.V1.DataPlane;

namespace MetaCluster.Tests.Cluster;

/// <summary>
/// Who may read a run's θ and Adam moments: a client that reaches the data plane (the workers'
/// token is all it takes) reads them only with the secret of a live assignment of that run, at the
/// coordinator and at a relay alike; with no secret, a made-up one or another run's, every read is
/// refused, and the run it snooped on ends with the bits of an undisturbed one.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ParameterReadsTests
{
    private const string Own = "the assignment's secret";
    private static readonly string[] Readers = ["no secret", "a made-up secret", "another run's secret"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task OnlyALiveSecretOfTheRunReadsItsParametersAndMomentsAndTheSnoopedRunKeepsItsBits(int treeFanIn)
    {
        RunDefinition Run(string outDir) => ClusterRuns.Sinusoid(workers: 2, shards: 4, steps: 4, outDir) with { ReduceGroup = treeFanIn, ReduceTree = treeFanIn };
        var undisturbed = await ClusterRuns.RunAsync(Run(ClusterRuns.TempDirectory()));

        string outDir = ClusterRuns.TempDirectory();
        var faults = new WorkerFaults();
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(2, Threads: 1) { ConfigureServices = faults.InjectInto },
            TestContext.Current.CancellationToken);
        // A live secret, but of another run: as a worker assigned to that run holds it.
        var otherRuns = cluster.Services.GetRequiredService<AssignmentSecrets>().Issue("another-run", 0);
        List<string>? seen = null;
        int snooped = 0;
        faults.BeforeShard = (_, request) =>
        {
            // Before a worker of step 2 fetches θ, a snooper who watched the wire (run and version
            // are no secret) asks the coordinator, and the relay the worker reads from, for them.
            if (request.Key.Step == 2 && Interlocked.Exchange(ref snooped, 1) == 0) seen = SnoopAsync(request, otherRuns).GetAwaiter().GetResult();
            return null;
        };
        var status = await cluster.RunToEndAsync(Run(outDir), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        // Every snooper refused at every door; the worker's own secret reads all three (and at the relay):
        // the snoopers were refused for want of a live secret of the run alone.
        string[] reads = ["GetParameters", "GetParameterUpdate", "GetOptimizerState", .. treeFanIn > 1 ? new[] { "relay GetParameters" } : Array.Empty<string>()];
        var expected = Readers.SelectMany(reader => reads.Select(read => $"{reader}: {read}: {StatusCode.PermissionDenied}"))
            .Concat(reads.Select(read => $"{Own}: {read}: {StatusCode.OK}"));
        Assert.Equal(expected, seen);
        var snoopedOn = Checkpoint.Load(Path.Combine(outDir, "checkpoints", "final.ckpt"));
        Assert.Equal(undisturbed.Final.Theta, snoopedOn.Theta);
        Assert.Equal(undisturbed.Final.FirstMoment, snoopedOn.FirstMoment);
        Assert.Equal(undisturbed.Final.SecondMoment, snoopedOn.SecondMoment);
    }

    // Every read of the request's run and version, with each reader's secret and then the request's
    // own: at the coordinator, and at the relay when the request goes through one; how each was answered.
    private static async Task<List<string>> SnoopAsync(ShardRequest request, byte[] otherRuns)
    {
        bool relayed = request.UpstreamUrl.Length > 0;
        using var coordinatorChannel = GrpcChannel.ForAddress(relayed ? request.UpstreamUrl : request.DataPlaneUrl);
        using var relayChannel = GrpcChannel.ForAddress(request.DataPlaneUrl);
        var coordinator = new DataPlaneContract.DataPlaneClient(coordinatorChannel);
        var relay = new DataPlaneContract.DataPlaneClient(relayChannel);
        var madeUp = new byte[request.AssignmentSecret.Length];
        Random.Shared.NextBytes(madeUp);
        byte[][] secrets = [[], madeUp, otherRuns, request.AssignmentSecret.ToByteArray()];
        string[] readers = [.. Readers, Own];
        var seen = new List<string>();
        for (int i = 0; i < readers.Length; i++)
        {
            var asked = new GetParametersRequest { RunId = request.Key.RunId, Version = request.ParameterVersion, AssignmentSecret = Google.Protobuf.ByteString.CopyFrom(secrets[i]) };
            seen.Add($"{readers[i]}: GetParameters: {await StatusOf(() => Drain(coordinator.GetParameters(asked)))}");
            seen.Add($"{readers[i]}: GetParameterUpdate: {await StatusOf(() => coordinator.GetParameterUpdateAsync(asked).ResponseAsync)}");
            seen.Add($"{readers[i]}: GetOptimizerState: {await StatusOf(() => Drain(coordinator.GetOptimizerState(asked)))}");
            if (relayed)
                seen.Add($"{readers[i]}: relay GetParameters: {await StatusOf(() => Drain(relay.GetParameters(new GetParametersRequest(asked) { UpstreamUrl = request.UpstreamUrl })))}");
        }
        return seen;
    }

    private static async Task Drain(AsyncServerStreamingCall<TensorChunk> call)
    {
        using (call)
            await foreach (var _ in call.ResponseStream.ReadAllAsync()) { }
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
