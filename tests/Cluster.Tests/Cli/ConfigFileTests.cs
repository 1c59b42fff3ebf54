using MetaCluster.Coordinator.Cli;
using MetaCluster.ServiceDefaults.Options;

namespace MetaCluster.Tests.Cli;

/// <summary><c>--config FILE</c>: JSON or YAML, keys as option names or run.json's fields, flags over the file, and one-line errors naming file and key.</summary>
public sealed class ConfigFileTests
{
    [Theory]
    [InlineData(".yaml")]
    [InlineData(".yml")]
    public void YamlConfigValuesApply(string extension)
    {
        string path = Write(extension, """
            # a preset without data paths
            task: images
            algorithm: protonet
            meta-steps: 10
            meta_batch: 4
            innerLr: 0.5
            ways: 3
            rotations: true
            data: [a.zip, b.zip]
            eval_inner_steps: [0, 2]
            eval-groups: g1,g2
            target: ~
            grad-dtype: "bf16"
            data-plane: grpc
            no-report: true
            """);
        var options = TrainOptions.Parse(["--config", path]);
        var run = options.Run;
        Assert.Equal(("images", "protonet", 10, 4, 0.5, 3), (run.Task, run.Algorithm, run.MetaSteps, run.MetaBatch, run.InnerLr, run.Ways));
        Assert.True(run.Rotations);
        Assert.Equal(["a.zip", "b.zip"], run.Data);
        Assert.Equal([0, 2], run.EvalInnerSteps);
        Assert.Equal(["g1", "g2"], run.EvalGroups);
        Assert.Null(run.Target);
        Assert.Equal("bf16", run.GradDtype);
        Assert.False(options.InProcessDataPlane);
        Assert.False(options.Report);
    }

    [Fact]
    public void FlagsOverrideTheFileAndARepeatableFlagReplacesTheFilesList()
    {
        string path = Write(".yaml", "task: images\ndata: [a.zip, b.zip]\nshots: 3\nmeta-steps: 10\nrotations: true\n");
        var run = TrainOptions.Parse(["--config", path, "--shots", "7", "--data", "c.zip", "--rotations", "false"]).Run;
        Assert.Equal(7, run.Shots);
        Assert.Equal(["c.zip"], run.Data);
        Assert.False(run.Rotations);
        Assert.Equal(10, run.MetaSteps);
        // Flags before --config win too: the order on the command line does not matter.
        Assert.Equal(7, TrainOptions.Parse(["--shots", "7", "--config", path]).Run.Shots);
    }

    [Theory]
    [InlineData(".json", """{ "meta_steps": 10, "colour": "blue" }""", "'colour'")]
    [InlineData(".yaml", "meta_steps: 10\ncolour: blue\n", "'colour'")]
    [InlineData(".json", """{ "resume": "yes" }""", "'resume' must be true or false, got \"yes\"")]
    [InlineData(".yaml", "resume: yes\n", "'resume' must be true or false, got yes")]
    [InlineData(".json", """{ "meta_steps": "10" }""", "'meta_steps' must be a number")]
    [InlineData(".json", """{ "seed": true }""", "'seed' must be a number")]
    [InlineData(".json", """{ "target": 5 }""", "'target' must be a text")]
    [InlineData(".json", """{ "shots": [1, 2] }""", "'shots' takes one value")]
    [InlineData(".json", """{ "data": { "path": "a" } }""", "'data' must be a value or a list of values")]
    [InlineData(".yaml", "metaBatch: 0\n", "'metaBatch': --meta-batch must be at least 1, got 0")]
    [InlineData(".yaml", "algorithm: sgd\n", "'algorithm': --algorithm must be one of")]
    [InlineData(".yaml", "eval_inner_steps: [1, x]\n", "'eval_inner_steps' must be a number, got x")]
    [InlineData(".json", """{ "meta_steps": 10, "meta-steps": 20 }""", "'meta-steps' sets --meta-steps again")]
    [InlineData(".json", """{ "config": "other.json" }""", "unknown option 'config'")]
    [InlineData(".json", """{ "meta_steps": 10, """, "is not valid JSON")]
    [InlineData(".yaml", "meta_steps: [1\n", "is not valid YAML")]
    [InlineData(".json", "[1, 2]", "must hold a JSON object")]
    [InlineData(".txt", "meta_steps: 10", "must be a .json, .yaml or .yml file")]
    public async Task ABadConfigFileIsOneLineNamingTheFileAndTheKey(string extension, string contents, string expected)
    {
        string path = Write(extension, contents);
        var (exit, output, errors) = await Run(["train", "--config", path]);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        var line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: --config", line);
        Assert.Contains(path, line);
        Assert.Contains(expected, line);
    }

    [Fact]
    public async Task AMissingConfigFileIsNamed()
    {
        string path = Path.Combine(ClusterRuns.TempDirectory(), "absent.yaml");
        var (exit, _, errors) = await Run(["train", "--config", path]);
        Assert.Equal(2, exit);
        Assert.StartsWith($"error: --config: cannot read '{path}'", errors);
        Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void SubmitTakesARunJsonButRefusesWhatTheCoordinatorChooses()
    {
        // What a run's run.json holds besides the options: its directory, and fields no option sets.
        string runJson = Write(".json", """
            { "task": "sinusoid", "meta_steps": 12, "output_directory": "/somewhere/else", "eval_shard_tasks": 100,
              "resume": false, "shard_timeout_seconds": 30, "eval_inner_steps": [1, 3], "data": [], "eval_groups": [] }
            """);
        var request = SubmitCommand.ToRequest(["--coordinator", "http://127.0.0.1:7100", "--config", runJson, "--name", "replay", "--tag", "team=ml", "--tag", "try=2"]);
        Assert.Equal(12, request.Definition.MetaSteps);
        Assert.Equal(30, request.Definition.ShardTimeout);
        Assert.Equal([1, 3], request.Definition.EvalInnerSteps);
        Assert.Equal("replay", request.Name);
        Assert.Equal("ml", request.Tags["team"]);
        Assert.Equal("2", request.Tags["try"]);
        Assert.Matches("^[0-9a-f]{32}$", request.RequestId);
        Assert.Equal("mine", SubmitCommand.ToRequest(["--coordinator", "http://127.0.0.1:7100", "--request-id", "mine"]).RequestId);

        string resuming = Write(".yaml", "resume: true\n");
        var error = Assert.Throws<UsageException>(() => SubmitCommand.ToRequest(["--coordinator", "http://127.0.0.1:7100", "--config", resuming]));
        Assert.Contains("'resume': --resume is not for submit", error.Message);
        string withOut = Write(".yaml", "out: runs/x\n");
        Assert.Contains("'out': --out is not for submit", Assert.Throws<UsageException>(() => SubmitCommand.ToRequest(["--coordinator", "http://127.0.0.1:7100", "--config", withOut])).Message);
    }

    [Fact]
    public void SubmitDoesNotLookForDataPathsOnThisMachine()
    {
        var request = SubmitCommand.ToRequest(["--coordinator", "http://127.0.0.1:7100", "--task", "images", "--data", "/data/on/the/server.zip"]);
        Assert.Equal(["/data/on/the/server.zip"], request.Definition.Data);
    }

    private static string Write(string extension, string contents)
    {
        string path = Path.Combine(ClusterRuns.TempDirectory(), "config" + extension);
        File.WriteAllText(path, contents);
        return path;
    }

    private static async Task<(int Exit, string Output, string Errors)> Run(string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        int exit = await CommandLine.RunAsync(args, output, errors);
        return (exit, output.ToString(), errors.ToString());
    }
}
