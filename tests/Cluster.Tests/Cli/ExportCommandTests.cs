using MetaCluster.Coordinator.Cli;
using MetaCluster.Coordinator.Export;
using MetaCluster.Tests.Cluster;

namespace MetaCluster.Tests.Cli;

/// <summary><c>export --run DIR [--out FILE]</c>: a run's safetensors file re-created from its checkpoints, and bad input in one line.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ExportCommandTests
{
    private static async Task<(int Exit, string Output, string[] Errors)> Run(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        int exit = await CommandLine.RunAsync(args, output, errors);
        return (exit, output.ToString(), errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static async Task<string> ShortRun(params string[] extra)
    {
        string outDir = ClusterRuns.TempDirectory();
        var (exit, _, errors) = await Run(["train", "--meta-steps", "4", "--meta-batch", "4", "--workers", "1", "--eval-tasks", "0",
            "--eval-inner-steps", "2,7", "--no-report", "--out", outDir, .. extra]);
        Assert.True(exit == 0, string.Join('\n', errors));
        return outDir;
    }

    [Fact]
    public async Task ExportAnswersHelpWithItsOptions()
    {
        var (exit, output, errors) = await Run("export", "--help");

        Assert.Equal(0, exit);
        Assert.Empty(errors);
        Assert.Contains("Coordinator export [options]", output);
        Assert.Contains("--run <DIR> (REQUIRED)", output);
        Assert.Contains("--out <FILE>", output);
    }

    [Fact]
    public async Task ExportRecreatesADeletedModelSafetensorsByteForByte()
    {
        string outDir = await ShortRun();
        string model = Path.Combine(outDir, RunExport.FileName);
        var written = File.ReadAllBytes(model);
        File.Delete(model);

        var (exit, output, errors) = await Run("export", "--run", outDir);

        Assert.True(exit == 0, string.Join('\n', errors));
        Assert.Equal(written, File.ReadAllBytes(model));
        Assert.Contains($"exported 6 tensor(s) of run ", output);
        Assert.Contains($"at step 4: {Path.GetFullPath(model)}", output);
        // What a loader needs to adapt as AdaptAndPredict does: the kind of task and the evaluation's step counts.
        var metadata = SafetensorsReader.Read(model).Metadata;
        Assert.Equal(("regression", "2,7", "1", "0.01"), (metadata["task_kind"], metadata["eval_inner_steps"], metadata["inner_steps"], metadata["inner_lr"]));

        string elsewhere = Path.Combine(outDir, "copy.safetensors");
        Assert.Equal(0, (await Run("export", "--run", outDir, "--out", elsewhere)).Exit);
        Assert.Equal(written, File.ReadAllBytes(elsewhere));
    }

    [Fact]
    public async Task ADamagedFinalCheckpointIsOneLineNamingItAndExitTwo()
    {
        string outDir = await ShortRun();
        string final = Path.Combine(outDir, "checkpoints", "final.ckpt");
        var bytes = File.ReadAllBytes(final);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(final, bytes);
        File.Delete(Path.Combine(outDir, RunExport.FileName));

        var (exit, _, errors) = await Run("export", "--run", outDir);

        Assert.Equal(2, exit);
        Assert.StartsWith($"error: {final}: damaged", Assert.Single(errors));
        Assert.False(File.Exists(Path.Combine(outDir, RunExport.FileName)));
    }

    [Fact]
    public async Task AMissingRunDirectoryOrOneWithoutCheckpointsIsOneLineAndExitTwo()
    {
        string missing = Path.Combine(Path.GetTempPath(), "metacluster-tests", Guid.NewGuid().ToString("N"));
        var (exit, _, errors) = await Run("export", "--run", missing);
        Assert.Equal(2, exit);
        Assert.Equal([$"error: --run: no directory '{missing}'"], errors);

        using var empty = new TempFolder();
        (exit, _, errors) = await Run("export", "--run", empty.Path);
        Assert.Equal(2, exit);
        Assert.Contains("no checkpoint to export", Assert.Single(errors));
    }

    [Fact]
    public async Task AMetaSgdTrLearnerRunExportsRatesAndProjectionsAndEvaluatesWithoutTheProjections()
    {
        string outDir = await ShortRun("--algorithm", "metasgd", "--tr-lambda", "0.1");
        File.Delete(Path.Combine(outDir, RunExport.FileName));

        var (exit, _, errors) = await Run("export", "--run", outDir);

        Assert.True(exit == 0, string.Join('\n', errors));
        var file = SafetensorsReader.Read(Path.Combine(outDir, RunExport.FileName));
        Assert.Equal(["layer0.weight", "layer0.bias", "layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias",
            "lr.layer0.weight", "lr.layer0.bias", "lr.layer1.weight", "lr.layer1.bias", "lr.layer2.weight", "lr.layer2.bias", "tr.projections"],
            file.Tensors.Select(t => t.Name));
        Assert.Equal("0.1", file.Metadata["tr_lambda"]);
        // θ's tail W is TRLearner's alone: Meta-SGD, which checks θ's size, evaluates the rest.
        (exit, _, errors) = await Run("eval", "--run", outDir, "--eval-tasks", "4");
        Assert.True(exit == 0, string.Join('\n', errors));
        Assert.True(File.Exists(Path.Combine(outDir, "eval.json")));
    }
}
