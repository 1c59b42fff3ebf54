using System.Text.Json;
using MetaCluster.Bench.Cli;
using MetaCluster.Bench.GradCheck;

namespace MetaCluster.Tests.Benchmarks;

/// <summary>
/// <c>--suite gradcheck</c> and the suites' <c>--device</c> on a CPU machine: the check's path runs
/// with the CPU as the compared device (it must agree with itself exactly), and a GPU the loaded
/// libtorch cannot reach is refused with one line. The GPU comparison itself needs a GPU (docs/gpu.md).
/// </summary>
public sealed class GradCheckSuiteTests
{
    [Fact]
    public async Task GradCheckOnTheCpuPassesAndWritesItsJson()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"gradcheck-{Guid.NewGuid():N}");
        try
        {
            var output = new StringWriter();
            var errors = new StringWriter();
            int exit = await BenchProgram.RunAsync(
                ["--suite", "gradcheck", "--device", "cpu", "--configs", "sinusoid-maml", "--tasks", "2", "--out", dir], output, errors);
            Assert.True(exit == 0, errors.ToString() + output);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "gradcheck.json")));
            Assert.True(json.RootElement.GetProperty("passed").GetBoolean());
            Assert.Equal("cpu", json.RootElement.GetProperty("device").GetString());
            var figures = json.RootElement.GetProperty("figures").EnumerateArray().ToList();
            Assert.Equal(["smoke", "sinusoid-maml"], figures.Select(f => f.GetProperty("Name").GetString()));
            // The same code on the same device: bit for bit the same meta-gradient.
            Assert.Equal(0, figures[1].GetProperty("Median").GetDouble());
            Assert.Contains("gradcheck smoke on cpu", output.ToString());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("gradcheck", "cuda:0", "--device cuda:0: the libtorch this process loaded has no CUDA")]
    [InlineData("throughput", "cuda", "--device cuda: the libtorch this process loaded has no CUDA")]
    [InlineData("throughput", "gpu0", "--device must be cpu, cuda or cuda:N")]
    public async Task AGpuThisLibtorchCannotReachIsRefusedWithOneLine(string suite, string device, string message)
    {
        if (device.StartsWith("cuda", StringComparison.Ordinal) && TorchSharp.torch.cuda.is_available())
            Assert.Skip("this machine's libtorch has CUDA: the refusal is for CPU-only machines");
        var output = new StringWriter();
        var errors = new StringWriter();
        Assert.Equal(2, await BenchProgram.RunAsync(["--suite", suite, "--configs", "sinusoid-maml", "--device", device], output, errors));
        var line = Assert.Single(errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(message, line);
    }

    [Fact]
    public void RelativeErrorsAreMeasuredAgainstTheReference()
    {
        Assert.Equal(0, MetaGradientComparison.RelativeNorm([1, 2, 2], [1, 2, 2]));
        Assert.Equal(1.0 / 3, MetaGradientComparison.RelativeNorm([1, 2, 3], [1, 2, 2]), 12);
        Assert.Equal(0.5, MetaGradientComparison.RelativeMax([1, 3], [1, 2]), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => MetaGradientComparison.RelativeNorm([1], [1, 2]));
    }
}
