using System.CommandLine;
using System.Reflection;
using MetaCluster.Coordinator.Cli;
using MetaCluster.TaskWorker.Hosting;

namespace MetaCluster.Tests.Cli;

/// <summary><c>--help</c> on every verb, generated from the option definitions, and <c>--version</c>.</summary>
public sealed class HelpAndVersionTests
{
    private static readonly string[] VerbNames = ["train", "eval", "serve", "submit", "watch", "stop", "runs", "workers", "report", "export"];

    public static TheoryData<string> Verbs => [.. VerbNames];

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task EveryVerbAnswersHelpWithEachOfItsOptions(string verb)
    {
        foreach (var flag in new[] { "--help", "-h" })
        {
            var (exit, output, errors) = await Run([verb, flag]);
            Assert.Equal(0, exit);
            Assert.Equal("", errors);
            Assert.Contains($"Coordinator {verb} [options]", output);
            var command = CommandLine.Create().Subcommands.Single(c => c.Name == verb);
            foreach (var option in command.Options.Where(o => !o.Hidden))
                Assert.Contains(option.Name, output);
        }
    }

    [Theory]
    [InlineData("train", "--meta-batch <T>", "tasks per meta-step [default: 25]")]
    [InlineData("train", "--task <sinusoid|harmonic|images|tabular>", "[default: sinusoid]")]
    [InlineData("train", "--algorithm <maml|fomaml|anil|foanil|metasgd|protonet|matchingnet|mtl|reptile>", "[default: maml]")]
    [InlineData("train", "--inner-lr <A>", "[default: 0.01]")]
    [InlineData("train", "--outer-lr <B>", "[default: 0.001; 1 for reptile with sgd]")]
    [InlineData("train", "--outer-optimizer <adam|sgd>", "[default: sgd for reptile, adam otherwise]")]
    [InlineData("train", "--lr-schedule <constant|cosine>", "[default: constant]")]
    [InlineData("train", "--meta-steps <S>", "[default: 2000]")]
    [InlineData("train", "--eval-inner-steps <K1,K2,…>", "[default: 1,10]")]
    [InlineData("train", "--ways <N>", "[default: 5 for images, 1 otherwise]")]
    [InlineData("train", "--grad-dtype <f32|bf16|f16>", "[default: f32]")]
    [InlineData("train", "--data-plane <in-process|grpc>", "[default: in-process]")]
    [InlineData("train", "--data <DIR|ZIP>", "(repeatable)")]
    [InlineData("train", "--config <FILE>", "JSON or YAML")]
    [InlineData("submit", "--shots <K>", "[default: 5]")]
    [InlineData("submit", "--tag <KEY=VALUE>", "(repeatable)")]
    [InlineData("submit", "--coordinator <URL> (REQUIRED)", "http://127.0.0.1:7100")]
    [InlineData("eval", "--batch <N>", "[default: 50]")]
    [InlineData("serve", "--api <URL>", "[default: http://127.0.0.1:7100]")]
    [InlineData("serve", "--silo-port <PORT>", "[default: 11111]")]
    [InlineData("watch", "--run <ID> (REQUIRED)", "")]
    [InlineData("report", "--run <DIR> (REQUIRED)", "")]
    public async Task HelpShowsAllowedValuesAndDefaults(string verb, string option, string description)
    {
        var (_, output, _) = await Run([verb, "--help"]);
        var line = Assert.Single(output.Split('\n'), l => l.TrimStart().StartsWith(option + " ", StringComparison.Ordinal));
        Assert.Contains(description, line);
    }

    [Fact]
    public async Task SubmitHidesTheOptionsOnlyTrainTakes()
    {
        var (_, output, _) = await Run(["submit", "--help"]);
        Assert.DoesNotContain("--out <", output);
        Assert.DoesNotContain("--resume", output);
        Assert.DoesNotContain("--threads", output);
        Assert.Contains("--request-id", output);
    }

    [Fact]
    public async Task TheRootListsEveryVerbAndWithoutOneExitsWithCodeTwo()
    {
        var (exit, output, _) = await Run([]);
        Assert.Equal(2, exit);
        foreach (var verb in VerbNames) Assert.Contains($"  {verb} ", output);
        var (helpExit, help, _) = await Run(["--help"]);
        Assert.Equal(0, helpExit);
        Assert.Equal(output, help);
    }

    [Fact]
    public async Task VersionPrintsTheCoordinatorsInformationalVersion()
    {
        var (exit, output, errors) = await Run(["--version"]);
        Assert.Equal(0, exit);
        Assert.Equal("", errors);
        string expected = typeof(CommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(expected, output.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", expected);
    }

    [Fact]
    public async Task TaskWorkerAnswersHelpAndVersionAndRejectsABadDevice()
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        Assert.Equal(0, await WorkerCommandLine.RunAsync(["--help"], output, errors));
        string help = output.ToString();
        Assert.Contains("TaskWorker [options]", help);
        Assert.Contains("--redis <HOST:PORT> (REQUIRED)", help);
        Assert.Matches(@"--device <cpu\|cuda:N> +.*\[default: cpu\]", help);
        Assert.Matches(@"--silo-port <PORT> +.*\[default: a free one\]", help);
        Assert.Matches(@"--metrics-port <PORT> +.*\[default: a free one\]", help);
        Assert.Matches(@"--relay-port <PORT> +.*\[default: 0\]", help);
        // Deployments (the chart, the compose file) pass it to workers as to the coordinator.
        Assert.Contains("--data-root <DIR>", help);
        Assert.Equal("", errors.ToString());

        var version = new StringWriter();
        Assert.Equal(0, await WorkerCommandLine.RunAsync(["--version"], version, new StringWriter()));
        Assert.Equal(typeof(WorkerCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion, version.ToString().Trim());

        foreach (var (args, named) in new[] { (new[] { "--redis", "127.0.0.1:6379", "--device", "gpu" }, "--device"), ([], "--redis"), (["--redis", "x", "--workers", "0"], "--workers") })
        {
            var bad = new StringWriter();
            var quiet = new StringWriter();
            Assert.Equal(2, await WorkerCommandLine.RunAsync(args, quiet, bad));
            var line = Assert.Single(bad.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"error: {named} ", line);
            Assert.Equal("", quiet.ToString());
        }
    }

    private static async Task<(int Exit, string Output, string Errors)> Run(string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        int exit = await CommandLine.RunAsync(args, output, errors);
        return (exit, output.ToString(), errors.ToString());
    }
}
