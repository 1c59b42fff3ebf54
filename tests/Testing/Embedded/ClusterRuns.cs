using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Steps;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.Coordinator.Runs;
using MetaCluster.TaskWorker.DataPlane;
using Microsoft.Extensions.DependencyInjection;
using MetaCluster.Abstractions;
using MetaCluster.Embedded;

namespace MetaCluster.Testing.Embedded;

/// <summary>Runs whole meta-training runs through an in-process cluster and returns their final state.</summary>
public static class ClusterRuns
{
    public static RunDefinition Sinusoid(int workers, int shards, int steps, string outDir) => new()
    {
        Task = "sinusoid", Algorithm = "maml", Shots = 5, Query = 10, MetaBatch = 12, InnerSteps = 1,
        InnerLr = 0.01, OuterLr = 0.001, MetaSteps = steps, EvalTasks = 0, Seed = 3,
        Workers = workers, Shards = shards, OutputDirectory = outDir, LogEvery = 1,
    };

    public static async Task<(RunStatus Status, Checkpoint Final)> RunAsync(RunDefinition run, bool inProcessDataPlane = false)
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(run.Workers, Threads: 1, InProcessDataPlane: inProcessDataPlane));
        // Checks, not xunit asserts: the benchmarks reference this library too, and carry no test framework.
        bool servedInProcess = cluster.Services.GetService<InProcessDataPlane>()?.Serves(cluster.DataPlaneUrl) ?? false;
        if (servedInProcess != inProcessDataPlane)
            throw new InvalidOperationException($"the data plane is {(servedInProcess ? "" : "not ")}served in process, asked for {inProcessDataPlane}");
        var status = await cluster.RunToEndAsync(run, cancellationToken: CancellationToken.None);
        if (status.State != RunState.Completed) throw new InvalidOperationException($"run ended {status.State}: {status.Error}");
        return (status, Checkpoint.Load(Path.Combine(run.OutputDirectory!, "checkpoints", "final.ckpt")));
    }

    /// <summary>
    /// One training round of <paramref name="definition"/>'s step <paramref name="step"/> through
    /// <paramref name="cluster"/>'s real rounds, with <paramref name="theta"/> published for it: the
    /// shards (or groups of <paramref name="groupSize"/>) run on its workers, gradients over gRPC.
    /// </summary>
    public static Task<RoundResult> TrainingRoundAsync(EmbeddedCluster cluster, RunDefinition definition, float[] theta, long step, IReadOnlyList<long[]> shards,
        int groupSize = 1, string runId = "round-check")
    {
        cluster.Services.GetRequiredService<ParameterPublisher>().Publish(runId, version: 1, theta);
        var work = new RoundWork(runId, step, 1, definition.MetaBatch, definition.ToSpec(), cluster.DataPlaneUrl, ShardRequest.WorkOneofCase.Train);
        return cluster.Services.GetRequiredService<DirectRound>().RunAsync(work, shards, theta.Length, TimeSpan.FromMinutes(2), CancellationToken.None, groupSize);
    }

    /// <summary>θ at the start of <see cref="Sinusoid"/> runs (seed 3).</summary>
    public static float[] SinusoidInitialTheta() =>
        new MetaCluster.Learning.Algorithms.Maml(new(1, 0.01), false).InitializeMetaParameters(new MetaCluster.Learning.Tasks.SinusoidTasks().CreateModel(), 3).data<float>().ToArray();

    /// <summary>Euclidean distance between two parameter vectors.</summary>
    public static double Distance(IReadOnlyList<float> a, IReadOnlyList<float> b) =>
        Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());

    public static string TempDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "metacluster-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
