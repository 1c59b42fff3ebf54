using System.Text.Json;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Cli;
using MetaCluster.Coordinator.Export;
using MetaCluster.Embedded;

namespace MetaCluster.Tests.Cluster;

/// <summary>The run directory's files through whole runs: the export, the order of metrics and checkpoints, and resumes.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RunFilesClusterTests
{
    [Fact]
    public async Task EveryRunWritesModelSafetensorsHoldingItsFinalParameters()
    {
        string outDir = ClusterRuns.TempDirectory();
        var (_, final) = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 1, shards: 2, steps: 5, outDir));

        var file = SafetensorsReader.Read(Path.Combine(outDir, RunExport.FileName));

        Assert.Equal(final.Theta, file.Tensors.SelectMany(t => t.Values));
        Assert.Equal([40, 1], file["layer0.weight"].Shape);
        Assert.Equal(("mlp", "1,40,40,1", "5", "maml"), (file.Metadata["model"], file.Metadata["layer_sizes"], file.Metadata["step"], file.Metadata["algorithm"]));
        Assert.Equal(file.Tensors.Select(t => t.Name), final.Tensors!.Select(t => t.Name));
    }

    [Fact]
    public async Task AStepsMetricsLineIsWrittenBeforeItsCheckpoint()
    {
        string outDir = ClusterRuns.TempDirectory();
        // A folder where step 2's temporary checkpoint goes: that write fails, as a kill or a full disk would stop it.
        Directory.CreateDirectory(Path.Combine(outDir, "checkpoints", "step-00000002.ckpt.tmp"));
        var run = ClusterRuns.Sinusoid(workers: 1, shards: 1, steps: 4, outDir) with { CheckpointEvery = 2 };

        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(1, Threads: 1), TestContext.Current.CancellationToken);
        var status = await cluster.RunToEndAsync(run, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(RunState.Failed, status.State);
        var steps = File.ReadAllLines(Path.Combine(outDir, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64());
        Assert.Equal([1, 2], steps);
        Assert.Empty(Directory.GetFiles(Path.Combine(outDir, "checkpoints")));
    }

    [Fact]
    public async Task AResumePastADamagedNewestCheckpointEndsWithTheUndisturbedParameters()
    {
        string outDir = ClusterRuns.TempDirectory();
        var run = ClusterRuns.Sinusoid(workers: 1, shards: 2, steps: 6, outDir) with { CheckpointEvery = 2 };
        var (_, undisturbed) = await ClusterRuns.RunAsync(run);
        string newest = Path.Combine(outDir, "checkpoints", "step-00000004.ckpt");
        var bytes = File.ReadAllBytes(newest);
        for (int i = 0; i < 16; i++) bytes[bytes.Length - 200 + i] ^= 0xFF;
        File.WriteAllBytes(newest, bytes);

        var (status, resumed) = await ClusterRuns.RunAsync(run with { Resume = true });

        Assert.Equal(undisturbed.Theta, resumed.Theta);
        using var summary = JsonDocument.Parse(status.SummaryJson!);
        Assert.StartsWith("from step 2 (step-00000002.ckpt; newer checkpoints did not verify: step-00000004.ckpt)", summary.RootElement.GetProperty("resume").GetString());
        Assert.Equal(6, File.ReadAllLines(Path.Combine(outDir, "metrics.jsonl")).Length);
    }

    [Fact]
    public async Task TrainResumeWithAnotherSeedIsRefusedAndKeepsRunJson()
    {
        string outDir = ClusterRuns.TempDirectory();
        string[] train = ["train", "--meta-steps", "4", "--checkpoint-every", "2", "--meta-batch", "4", "--workers", "1", "--eval-tasks", "0", "--no-report", "--out", outDir];
        Assert.Equal(0, await CommandLine.RunAsync(train, new StringWriter(), new StringWriter()));
        string runJson = File.ReadAllText(Path.Combine(outDir, "run.json"));

        Assert.Equal(1, await CommandLine.RunAsync([.. train, "--resume", "--seed", "9"], new StringWriter(), new StringWriter()));

        Assert.Equal(runJson, File.ReadAllText(Path.Combine(outDir, "run.json")));
    }
}
