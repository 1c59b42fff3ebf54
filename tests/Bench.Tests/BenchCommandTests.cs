using MetaCluster.Bench.Cli;
using System.Text.Json;

namespace MetaCluster.Tests.Benchmarks;

/// <summary>The <c>bench</c> verb end to end on its smallest setting, and its option errors. No timing is asserted.</summary>
public sealed class BenchCommandTests
{
    [Fact]
    public async Task QuickThroughputWritesBenchJsonWithMachineAndFiguresAndAMarkdownTable()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}");
        try
        {
            var output = new StringWriter();
            var errors = new StringWriter();
            int exit = await BenchProgram.RunAsync(
                ["--suite", "throughput", "--configs", "sinusoid-maml", "--quick", "--reference", "none", "--out", dir], output, errors);
            Assert.True(exit == 0, errors.ToString() + output);

            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "bench.json")));
            var machine = json.RootElement.GetProperty("machine");
            Assert.Equal(Environment.ProcessorCount, machine.GetProperty("cores").GetInt32());
            Assert.False(string.IsNullOrWhiteSpace(machine.GetProperty("cpu_model").GetString()));
            Assert.StartsWith(".NET", machine.GetProperty("dotnet").GetString());
            Assert.Equal(3, machine.GetProperty("load_average_before").GetArrayLength());

            var figures = json.RootElement.GetProperty("figures").EnumerateArray().ToList();
            Assert.Equal(["embedded cluster, 1 worker", "embedded cluster, 1 worker, data plane over gRPC", "compute only (no cluster)"],
                figures.Select(f => f.GetProperty("configuration").GetProperty("path").GetString()));
            foreach (var figure in figures)
            {
                Assert.Equal("sinusoid-maml", figure.GetProperty("name").GetString());
                Assert.Equal("tasks/s", figure.GetProperty("unit").GetString());
                double median = figure.GetProperty("median").GetDouble();
                Assert.True(median > 0 && double.IsFinite(median), $"median {median}");
                var repetitions = figure.GetProperty("repetitions").EnumerateArray().Select(r => r.GetDouble()).ToList();
                Assert.Equal(3, repetitions.Count);
                Assert.All(repetitions, r => Assert.True(r > 0));
                Assert.Contains("--reference none", figure.GetProperty("note").GetString());
            }

            string markdown = File.ReadAllText(Path.Combine(dir, "bench.md"));
            Assert.Contains("## throughput", markdown);
            Assert.Contains("| figure | configuration | median (tasks/s) |", markdown);
            Assert.Equal(3, markdown.Split('\n').Count(l => l.StartsWith("| sinusoid-maml |", StringComparison.Ordinal)));
            Assert.Contains(markdown.Trim(), output.ToString());

            // bench.md is a view of bench.json: --render writes the same text again from it.
            File.Delete(Path.Combine(dir, "bench.md"));
            Assert.Equal(0, await BenchProgram.RunAsync(["--render", dir], new StringWriter(), errors));
            Assert.Equal(markdown, File.ReadAllText(Path.Combine(dir, "bench.md")));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "--suite", "nope" }, "--suite")]
    [InlineData(new[] { "--repeats", "0" }, "--repeats")]
    [InlineData(new[] { "--bogus", "1" }, "--bogus")]
    [InlineData(new[] { "--suite", "throughput", "--configs", "sinusoid-sgd" }, "--configs")]
    [InlineData(new[] { "--suite", "throughput", "--reference", "maybe" }, "--reference")]
    [InlineData(new[] { "--suite", "throughput", "--target-seconds", "-1" }, "--target-seconds")]
    [InlineData(new[] { "--suite", "scaling", "--configs", "sinusoid-maml" }, "--configs")]
    [InlineData(new[] { "--suite", "scaling", "--scaling-workers", "1,0" }, "--scaling-workers")]
    [InlineData(new[] { "--suite", "scaling", "--scaling-modes", "threads" }, "--scaling-modes")]
    [InlineData(new[] { "--suite", "scaling", "--scaling-workers", "8", "--scaling-meta-batch", "4" }, "--scaling-meta-batch")]
    [InlineData(new[] { "--render", "/nonexistent-bench-folder" }, "--render")]
    [InlineData(new[] { "--render", "/tmp", "--quick" }, "--render")]
    public async Task ABadOptionGivesOneLineNamingItAndExitCodeTwo(string[] args, string named)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        Assert.Equal(2, await BenchProgram.RunAsync(args, output, errors));
        var line = Assert.Single(errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(named, line);
        Assert.Equal("", output.ToString());
    }
}
