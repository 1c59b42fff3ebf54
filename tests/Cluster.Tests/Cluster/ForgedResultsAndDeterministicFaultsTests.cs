using Grpc.Core;
using Grpc.Net.Client;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Embedded;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.Testing.Embedded;
using MetaCluster.Testing.Faults;
using DataPlaneContract = MetaCluster.Protos.DataPlane.V1.DataPlane;

namespace MetaCluster.Tests.Cluster;

/// <summary>
/// Who may have a result accepted, and which failures are retried: a client that can reach the
/// data plane but was not assigned the work cannot put its gradient in the step (it does not know
/// the assignment's secret, and a result naming other tasks is malformed), and an error that would
/// be the same on any worker fails the run at once with its message instead of being retried.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ForgedResultsAndDeterministicFaultsTests
{
    [Fact]
    public async Task ResultsForgedByAClientThatReachesTheDataPlaneAreDroppedAndTheRunKeepsItsBits()
    {
        var undisturbed = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 2, shards: 2, steps: 4, ClusterRuns.TempDirectory()));

        string outDir = ClusterRuns.TempDirectory();
        var run = ClusterRuns.Sinusoid(workers: 2, shards: 2, steps: 4, outDir);
        var faults = new WorkerFaults();
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(run.Workers, Threads: 1) { ConfigureServices = faults.InjectInto }, TestContext.Current.CancellationToken);
        int parameters = ClusterRuns.SinusoidInitialTheta().Length;
        var outcomes = new List<string>();
        faults.BeforeShard = (_, request) =>
        {
            // Before the real worker answers step 2's shard 0, a forger who watched the wire (run,
            // step, shard, attempt and tasks are no secret) streams a gradient of all 1.0 for it.
            if (request.Key.Step == 2 && request.Key.Shard == 0 && request.WorkCase == ShardRequest.WorkOneofCase.Train && outcomes.Count == 0)
                lock (outcomes) outcomes.AddRange(ForgeAsync(request, parameters).GetAwaiter().GetResult());
            return null;
        };
        var status = await cluster.RunToEndAsync(run, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        Assert.Equal(["no secret: Stale", "a guessed secret: Stale", "the secret with other tasks: InvalidArgument"], outcomes);
        var forged = Checkpoint.Load(Path.Combine(outDir, "checkpoints", "final.ckpt"));
        Assert.Equal(undisturbed.Final.Theta, forged.Theta);
        Assert.Equal(undisturbed.Final.SecondMoment, forged.SecondMoment);
    }

    [Fact]
    public async Task ADeterministicErrorFailsTheRunAtOnceWithItsMessageAndIsNeverRetried()
    {
        string outDir = ClusterRuns.TempDirectory();
        var run = ClusterRuns.Sinusoid(workers: 2, shards: 2, steps: 6, outDir);
        var faults = new WorkerFaults();
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(run.Workers, Threads: 1) { ConfigureServices = faults.InjectInto }, TestContext.Current.CancellationToken);
        int failures = 0, step2Shards = 0;
        faults.BeforeShard = (_, request) =>
        {
            if (request.Key.Step != 2) return null;
            Interlocked.Increment(ref step2Shards);
            return request.Key.Shard == 1 && Interlocked.Increment(ref failures) > 0
                ? new DeterministicWorkException("tasks.csv:2: column 'dose' is not a number")
                : null;
        };
        var started = DateTime.UtcNow;
        var status = await cluster.RunToEndAsync(run, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(RunState.Failed, status.State);
        Assert.Contains("tasks.csv:2: column 'dose' is not a number", status.Error);
        Assert.DoesNotContain("\n", status.Error);
        Assert.Equal(1, failures);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(60), "the run waited for retries");
    }

    // Three forgeries for the attempt the coordinator awaits; returns how each was answered.
    private static async Task<List<string>> ForgeAsync(ShardRequest request, int parameters)
    {
        using var channel = GrpcChannel.ForAddress(request.DataPlaneUrl);
        var client = new DataPlaneContract.DataPlaneClient(channel);
        var gradient = GradientCodec.Encode(Enumerable.Repeat(1f, parameters).ToArray(), DType.Float32, out _);
        var guessed = new byte[request.AssignmentSecret.Length];
        Random.Shared.NextBytes(guessed);
        var outcomes = new List<string>();
        foreach (var (label, secret, tasks) in new[]
                 {
                     ("no secret", Array.Empty<byte>(), request.TaskIndices.ToArray()),
                     ("a guessed secret", guessed, request.TaskIndices.ToArray()),
                     ("the secret with other tasks", request.AssignmentSecret.ToByteArray(), request.TaskIndices.Select(t => t + 1000).ToArray()),
                 })
        {
            var header = new ShardResultHeader
            {
                Key = request.Key, WorkerId = "forger", AssignmentSecret = Google.Protobuf.ByteString.CopyFrom(secret),
                Train = new TrainResult { TaskLosses = { tasks.Select(_ => 0.0) }, TaskMetrics = { tasks.Select(_ => 0.0) } },
            };
            header.TaskIndices.AddRange(tasks);
            try
            {
                using var call = client.SubmitShardResult();
                await call.RequestStream.WriteAsync(new ShardResultPart { Header = header });
                foreach (var chunk in TensorWire.Chunk("gradient", [parameters], gradient, dtype: DType.Float32))
                    await call.RequestStream.WriteAsync(new ShardResultPart { Gradient = chunk });
                await call.RequestStream.CompleteAsync();
                outcomes.Add($"{label}: {(await call).Outcome}");
            }
            catch (RpcException e)
            {
                outcomes.Add($"{label}: {e.StatusCode}");
            }
        }
        return outcomes;
    }
}
