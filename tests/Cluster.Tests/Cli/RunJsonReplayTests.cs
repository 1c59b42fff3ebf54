using System.Text.Json;
using System.Text.Json.Nodes;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Cli;
using MetaCluster.Coordinator.Output;
using MetaCluster.Tests.Cluster;

namespace MetaCluster.Tests.Cli;

/// <summary>A run's own run.json given to <c>train --config</c> replays the run: same definition, same parameters, same figures.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RunJsonReplayTests
{
    [Fact]
    public async Task ARunsOwnRunJsonReplaysItBitForBit()
    {
        string root = ClusterRuns.TempDirectory();
        string original = Path.Combine(root, "original"), replay = Path.Combine(root, "replay"), reseeded = Path.Combine(root, "reseeded");
        // Values away from the defaults, so that a field the replay lost would show.
        await Train(["--task", "sinusoid", "--algorithm", "maml", "--meta-steps", "40", "--meta-batch", "8", "--shards", "4", "--inner-lr", "0.02",
            "--outer-lr", "0.003", "--shots", "4", "--query", "6", "--eval-tasks", "50", "--eval-inner-steps", "0,1,3", "--seed", "7", "--log-every", "5",
            "--out", original]);
        string runJson = Path.Combine(original, "run.json");

        await Train(["--config", runJson, "--out", replay]);

        Assert.Equal(Definition(original).ToJsonString(), Definition(replay).ToJsonString());
        Assert.Equal(Final(original).Theta, Final(replay).Theta);
        var (first, second) = (Summary(original), Summary(replay));
        Assert.Equal(first.FinalTrainLoss, second.FinalTrainLoss);
        Assert.Equal(first.Eval!.Results, second.Eval!.Results);
        Assert.Equal([0, 1, 3], second.Eval.Results.Select(r => r.InnerSteps));
        Assert.Equal(File.ReadAllLines(Path.Combine(original, "metrics.jsonl")).Select(Loss), File.ReadAllLines(Path.Combine(replay, "metrics.jsonl")).Select(Loss));

        // The comparison tells runs apart: a flag over the file (another seed) gives other parameters.
        await Train(["--config", runJson, "--out", reseeded, "--seed", "8", "--eval-tasks", "0"]);
        Assert.Equal(8, Definition(reseeded)["seed"]!.GetValue<int>());
        Assert.NotEqual(Final(original).Theta, Final(reseeded).Theta);
    }

    private static async Task Train(string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        int exit = await CommandLine.RunAsync(["train", .. args, "--no-report"], output, errors);
        Assert.True(exit == 0, errors.ToString() + output);
    }

    // run.json less the run's own directory.
    private static JsonObject Definition(string directory)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "run.json")))!.AsObject();
        Assert.True(json.Remove("output_directory"));
        return json;
    }

    private static Checkpoint Final(string directory) => Checkpoint.Load(Path.Combine(directory, "checkpoints", "final.ckpt"));

    private static RunSummary Summary(string directory) =>
        JsonSerializer.Deserialize<RunSummary>(File.ReadAllText(Path.Combine(directory, "summary.json")), RunJson.Indented)!;

    private static double Loss(string line) => JsonDocument.Parse(line).RootElement.GetProperty("loss").GetDouble();
}
