using System.CommandLine;
using MetaCluster.Tool.Cli;
using MetaCluster.Tool.Verbs;

namespace MetaCluster.Tests.Clients.Tool;

/// <summary>The tool's command line, in process: names, values, and the one-line errors with exit 2.</summary>
public sealed class ToolParsingTests
{
    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args) =>
        await RunWithEnvironmentAsync(_ => null, args);

    private static async Task<(int Code, string Out, string Error)> RunWithEnvironmentAsync(Func<string, string?> environment, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await ToolCli.RunAsync(args, new ToolContext(output, error, environment), TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    // The stable names of `train`'s options (docs: the command line and the run directory).
    [Theory]
    [InlineData("task")] [InlineData("data")] [InlineData("eval-data")] [InlineData("algorithm")] [InlineData("tr-lambda")] [InlineData("ways")]
    [InlineData("shots")] [InlineData("query")] [InlineData("meta-batch")] [InlineData("inner-steps")] [InlineData("inner-lr")] [InlineData("outer-lr")]
    [InlineData("meta-steps")] [InlineData("eval-tasks")] [InlineData("eval-inner-steps")] [InlineData("workers")] [InlineData("device")] [InlineData("seed")]
    [InlineData("checkpoint-every")] [InlineData("eval-groups")] [InlineData("eval-classes")] [InlineData("rotations")] [InlineData("target")]
    [InlineData("eval-query")] [InlineData("shards")] [InlineData("log-every")] [InlineData("shard-timeout")] [InlineData("tr-heads")] [InlineData("tr-tau")]
    [InlineData("tr-meta-data")] [InlineData("tr-sampler")] [InlineData("grad-dtype")] [InlineData("kernels")] [InlineData("reduce-group")] [InlineData("reduce-tree")]
    [InlineData("val-every")] [InlineData("val-tasks")] [InlineData("val-inner-steps")] [InlineData("val-fraction")] [InlineData("val-classes")]
    [InlineData("early-stop")] [InlineData("tensorboard")]
    [InlineData("image-size")] [InlineData("channels")] [InlineData("invert")] [InlineData("task-column")] [InlineData("separator")] [InlineData("na")]
    [InlineData("multi-step-loss")] [InlineData("learned-inner-lr")]
    public void SubmitTakesTrainsOptionUnderItsName(string name)
    {
        var submit = ToolCli.Build(new ToolContext(TextWriter.Null, TextWriter.Null, _ => null)).Subcommands.Single(c => c.Name == "submit");
        Assert.Contains(submit.Options, o => o.Name == "--" + name && !o.Hidden);
    }

    [Fact]
    public void SubmitsOptionsBecomeTheRunOptionsGivenAndOnlyThose()
    {
        var command = new RootCommand();
        var definition = new RunDefinitionOptions();
        definition.AddTo(command);
        var parse = command.Parse(["--task", "images", "--data", "a.zip", "--data", "b", "--eval-groups", "g1,g2", "--rotations", "--ways", "20",
            "--inner-lr", "0.4", "--eval-inner-steps", "1,3", "--seed", "18446744073709551615", "--tr-lambda", "0", "--checkpoint-every", "0",
            "--val-every", "50", "--early-stop", "3", "--tensorboard", "false", "--channels", "3", "--invert", "false", "--task-column", "assay", "--multi-step-loss"]);
        Assert.Empty(parse.Errors);
        var options = definition.Read(parse);
        Assert.Equal("images", options.Task);
        Assert.Equal(["a.zip", "b"], options.Data);
        Assert.Equal(["g1", "g2"], options.EvalGroups);
        Assert.True(options.Rotations);
        Assert.Equal(20, options.Ways);
        Assert.Equal(0.4, options.InnerLr);
        Assert.Equal([1, 3], options.EvalInnerSteps);
        Assert.Equal(ulong.MaxValue, options.Seed);
        Assert.Equal(0, options.TrLambda);
        Assert.Equal(0, options.CheckpointEvery);
        Assert.Equal((50, 3, false), (options.ValEvery, options.EarlyStop, options.Tensorboard));
        Assert.Null(options.ValTasks);
        Assert.Null(options.Algorithm);
        Assert.Null(options.MetaSteps);
        Assert.Empty(options.EvalData);
        Assert.Equal((3, false, "assay", true), (options.Channels, options.Invert, options.TaskColumn, options.MultiStepLoss));
        Assert.Null(options.LearnedInnerLr);
        Assert.Null(options.ImageSize);
        Assert.True(definition.Read(command.Parse(["--invert"])).Invert);

        var none = definition.Read(command.Parse([]));
        Assert.Null(none.Rotations);
        Assert.Null(none.Tensorboard);
        Assert.Null(none.Invert);
        Assert.Null(none.MultiStepLoss);
        Assert.Null(none.Task);
    }

    [Theory]
    [InlineData("error: --meta-steps must be an integer, got 'ten'", "submit", "--meta-steps", "ten")]
    [InlineData("error: --inner-lr must be a number, got '0,5'", "submit", "--inner-lr", "0,5")]
    [InlineData("error: --eval-inner-steps must be an integer, got 'x'", "submit", "--eval-inner-steps", "1,x")]
    [InlineData("error: Unrecognized command or argument '--no-such-flag'.", "submit", "--no-such-flag")]
    [InlineData("error: --out is not for submit", "submit", "--out", "runs/x")]
    [InlineData("error: --tag must be KEY=VALUE, got 'team'", "submit", "--tag", "team")]
    [InlineData("error: --tag team is given twice", "runs", "--tag", "team=a", "--tag", "team=b")]
    [InlineData("error: a run id is required", "watch")]
    [InlineData("error: two run ids", "stop", "run-a", "--run", "run-b")]
    [InlineData("error: Argument 'xml' not recognized", "runs", "--output", "xml")]
    [InlineData("error: --coordinator must be an http(s) URL", "workers", "--coordinator", "127.0.0.1:7100")]
    [InlineData("error: --tls-cert and --tls-key go together", "workers", "--coordinator", "https://h:1", "--tls-cert", "c.pem")]
    [InlineData("error: --limit must be at least 1", "runs", "--limit", "0")]
    [InlineData("error: a verb is required")]
    [InlineData("error: Unrecognized command or argument 'frobnicate'.", "frobnicate")]
    public async Task BadInputIsOneErrorLineAndExitCodeTwo(string expected, params string[] args)
    {
        var (code, output, error) = await RunAsync(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith(expected, error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("submit", "--help")]
    [InlineData("watch", "-h")]
    [InlineData("download", "--help")]
    [InlineData("--version")]
    public async Task HelpAndVersionAnswerWithExitCodeZero(params string[] args)
    {
        var (code, output, error) = await RunAsync(args);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.NotEmpty(output);
        if (args[0] == "submit") Assert.Contains("--meta-batch", output);
    }

    [Fact]
    public async Task TheCoordinatorComesFromTheEnvironmentAndAnUnreachableOneIsExitCodeOne()
    {
        var (code, _, error) = await RunWithEnvironmentAsync(
            name => name == "METACLUSTER_COORDINATOR" ? "http://127.0.0.1:1" : null, "workers");
        Assert.Equal(1, code);
        Assert.StartsWith("error: cannot reach the coordinator at http://127.0.0.1:1/", error);
    }
}
