using MetaCluster.ServiceDefaults.Options;
using System.Diagnostics;
using MetaCluster.Coordinator.Cli;
using MetaCluster.Coordinator.Runs;

namespace MetaCluster.Tests.Cli;

public sealed class BadInputTests
{
    [Theory]
    [InlineData(new[] { "train", "--bogus", "1" }, "--bogus")]
    [InlineData(new[] { "train", "--shots", "-1" }, "--shots")]
    [InlineData(new[] { "train", "--workers", "0" }, "--workers")]
    [InlineData(new[] { "train", "--inner-lr", "abc" }, "--inner-lr")]
    [InlineData(new[] { "train", "--algorithm", "sgd" }, "--algorithm")]
    [InlineData(new[] { "train", "--grad-dtype", "fp8" }, "--grad-dtype")]
    [InlineData(new[] { "train", "--data-plane", "udp" }, "--data-plane")]
    [InlineData(new[] { "train", "--kernels", "cudnn" }, "--kernels")]
    [InlineData(new[] { "train", "--shards", "2", "--reduce-group", "3" }, "--reduce-group")]
    [InlineData(new[] { "train", "--reduce-group", "2", "--tr-lambda", "0.5" }, "--reduce-group")]
    [InlineData(new[] { "train", "--eval-inner-steps", "1,x" }, "--eval-inner-steps")]
    [InlineData(new[] { "train", "--meta-batch", "4", "--shards", "5" }, "--shards")]
    [InlineData(new[] { "train", "--shots" }, "--shots")]
    [InlineData(new[] { "frobnicate" }, "frobnicate")]
    [InlineData(new[] { "train", "--tr-lambda", "-0.1" }, "--tr-lambda")]
    [InlineData(new[] { "train", "--tr-lambda", "0.1", "--meta-batch", "1" }, "--tr-lambda")]
    [InlineData(new[] { "train", "--tr-sampler", "easiest" }, "--tr-sampler")]
    [InlineData(new[] { "train", "--tr-tau", "0" }, "--tr-tau")]
    [InlineData(new[] { "train", "--early-stop", "2" }, "--early-stop needs --val-every")]
    [InlineData(new[] { "train", "--val-every", "2", "--val-tasks", "0" }, "--val-tasks")]
    [InlineData(new[] { "train", "--val-every", "2", "--val-fraction", "1" }, "--val-fraction")]
    [InlineData(new[] { "train", "--val-classes", "v.txt" }, "--val-classes needs --val-every")]
    [InlineData(new[] { "train", "--tr-heads", "0" }, "--tr-heads")]
    [InlineData(new[] { "train", "--tr-lambda", "0.1", "--query", "4", "--tr-meta-data", "5" }, "--tr-meta-data")]
    [InlineData(new[] { "train", "--meta-batch", "0" }, "--meta-batch must be at least 1, got 0")]
    [InlineData(new[] { "train", "--seed", "-1" }, "--seed")]
    [InlineData(new[] { "train", "--metrics-port", "0" }, "--metrics-port")]
    [InlineData(new[] { "train", "--shots", "1", "--shots", "2" }, "--shots")]
    [InlineData(new[] { "train", "--rotations", "yes" }, "'yes'")]
    [InlineData(new[] { "train", "--resume" }, "--resume needs --out")]
    [InlineData(new[] { "train", "--shost", "3" }, "unknown option '--shost' (did you mean '--shots'?)")]
    [InlineData(new[] { "trian" }, "unknown verb 'trian' (did you mean 'train'?)")]
    [InlineData(new[] { "eval", "--batch", "0" }, "--batch")]
    [InlineData(new[] { "eval", "--eval-inner-steps", "" }, "--eval-inner-steps")]
    [InlineData(new[] { "serve" }, "--redis is required")]
    [InlineData(new[] { "serve", "--redis", "127.0.0.1:6379", "--api", "nowhere" }, "--api")]
    [InlineData(new[] { "serve", "--redis", "127.0.0.1:6379", "--silo-port", "70000" }, "--silo-port")]
    [InlineData(new[] { "submit", "--task", "sinusoid" }, "--coordinator is required")]
    [InlineData(new[] { "submit", "--coordinator", "ftp://host" }, "--coordinator")]
    [InlineData(new[] { "submit", "--coordinator", "http://127.0.0.1:1", "--tag", "novalue" }, "--tag")]
    [InlineData(new[] { "submit", "--coordinator", "http://127.0.0.1:1", "--resume" }, "--resume is not for submit")]
    [InlineData(new[] { "submit", "--coordinator", "http://127.0.0.1:1", "--meta-steps", "0" }, "--meta-steps")]
    [InlineData(new[] { "watch", "--coordinator", "http://127.0.0.1:1" }, "--run is required")]
    [InlineData(new[] { "stop", "--run", "r" }, "--coordinator is required")]
    [InlineData(new[] { "runs", "--coordinator", "http://127.0.0.1:1", "--run", "r" }, "--run")]
    [InlineData(new[] { "report" }, "--run is required")]
    public async Task BadInputGivesOneLineNamingItAndExitCodeTwo(string[] args, string named)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var clock = Stopwatch.StartNew();
        int exit = await CommandLine.RunAsync(args, output, errors);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.Equal(2, exit);
        var lines = errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(named, line);
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public async Task AConfigFileWithAnUnknownKeyIsNamed()
    {
        string path = Path.Combine(Path.GetTempPath(), $"config-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "meta_steps": 10, "colour": "blue" }""");
        var errors = new StringWriter();
        Assert.Equal(2, await CommandLine.RunAsync(["train", "--config", path], new StringWriter(), errors));
        Assert.Contains("colour", errors.ToString());
        Assert.Contains(path, errors.ToString());
    }

    [Fact]
    public async Task ABadValueStartsNothingAndWritesNothing()
    {
        string outDir = Path.Combine(ClusterRuns.TempDirectory(), "run");
        var errors = new StringWriter();
        Assert.Equal(2, await CommandLine.RunAsync(["train", "--out", outDir, "--meta-steps", "10", "--tr-tau", "-1"], new StringWriter(), errors));
        Assert.StartsWith("error: --tr-tau", errors.ToString());
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void ConfigValuesApplyAndFlagsOverrideThem()
    {
        string path = Path.Combine(Path.GetTempPath(), $"config-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "meta_steps": 10, "shots": 3, "eval-inner-steps": [1, 2, 3] }""");
        var options = TrainOptions.Parse(["--config", path, "--shots", "7"]);
        Assert.Equal(10, options.Run.MetaSteps);
        Assert.Equal(7, options.Run.Shots);
        Assert.Equal([1, 2, 3], options.Run.EvalInnerSteps);
    }

    [Fact]
    public async Task TheRealExecutableExitsWithCodeTwoOnAnUnknownFlag()
    {
        string coordinator = Path.Combine(AppContext.BaseDirectory, "Coordinator.dll");
        var start = new ProcessStartInfo("dotnet", [coordinator, "train", "--no-such-flag"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        string stderr = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, process.ExitCode);
        Assert.Equal("error: unknown option '--no-such-flag'", stderr.Trim());
    }

    [Fact]
    public void TheDataPlaneIsCalledInProcessUnlessGrpcIsAskedFor()
    {
        Assert.True(TrainOptions.Parse([]).InProcessDataPlane);
        Assert.False(TrainOptions.Parse(["--data-plane", "grpc"]).InProcessDataPlane);
        Assert.True(TrainOptions.Parse(["--data-plane", "in-process"]).InProcessDataPlane);
    }

    [Fact]
    public void KernelsAreFusedUnlessAutogradIsAskedForAndTheChoiceReachesTheWorkers()
    {
        var fused = TrainOptions.Parse([]).Run;
        Assert.Equal("fused", fused.Kernels);
        Assert.Equal("fused", fused.ToSpec().Kernels); // the spec says which kernels, whatever the default
        var autograd = TrainOptions.Parse(["--kernels", "autograd"]).Run;
        Assert.Equal("autograd", autograd.Kernels);
        Assert.Equal("autograd", autograd.ToSpec().Kernels);
    }
}
