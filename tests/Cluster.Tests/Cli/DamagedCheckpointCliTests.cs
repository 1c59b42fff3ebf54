using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Cli;

namespace MetaCluster.Tests.Cli;

/// <summary>What <c>eval</c> does with checkpoints that are damaged, forged or of an old format: one line naming the file, exit code 2.</summary>
public sealed class DamagedCheckpointCliTests
{
    private static string SinusoidCheckpoint(TempFolder folder)
    {
        var theta = new MetaCluster.Learning.Tasks.SinusoidTasks().CreateModel().Initialize(4).data<float>().ToArray();
        string path = Path.Combine(folder.Path, "checkpoints", "final.ckpt");
        new Checkpoint("run-test", new RunDefinition { Algorithm = "maml", Seed = 4 }, 2000, 2000, theta, null, null).Save(path);
        return path;
    }

    private static async Task<(int Exit, string[] Errors)> Eval(params string[] args)
    {
        var errors = new StringWriter();
        int exit = await CommandLine.RunAsync(["eval", .. args], new StringWriter(), errors);
        return (exit, errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task SixteenFlippedBytesInsideThetaMakeEvalExitTwoWithOneLineNamingTheFile()
    {
        using var folder = new TempFolder();
        string path = SinusoidCheckpoint(folder);
        var bytes = File.ReadAllBytes(path);
        int thetaStart = bytes.Length - 32 - 1761 * sizeof(float); // θ of the 1-40-40-1 MLP ends where the digest begins
        for (int i = 0; i < 16; i++) bytes[thetaStart + 400 + i] ^= 0x7F;
        File.WriteAllBytes(path, bytes);

        var (exit, errors) = await Eval("--checkpoint", path, "--eval-tasks", "20");

        Assert.Equal(2, exit);
        Assert.Equal([$"error: {path}: damaged: its contents do not match its SHA-256 digest (not loaded)"], errors);
    }

    [Theory]
    [InlineData(1, "-1")]
    [InlineData(1, "1e11")]
    [InlineData(2, "-1")]
    [InlineData(2, "1e11")]
    [InlineData(2, "100000000000")]
    public async Task AnImpossibleElementCountInTheHeaderIsOneLineAndExitTwo(int version, string elements)
    {
        using var folder = new TempFolder();
        string path = folder.Write("checkpoints/final.ckpt", ForgedCheckpoints.Bytes(version, ForgedCheckpoints.Header(elements), tensorBytes: 64));

        var (exit, errors) = await Eval("--run", folder.Path);

        Assert.Equal(2, exit);
        Assert.Single(errors);
        Assert.StartsWith($"error: {path}: ", errors[0]);
    }
}
