using System.Text.Json;
using MetaCluster.Tests.Clients.Fakes;

namespace MetaCluster.Tests.Clients.EndToEnd;

/// <summary>The <c>metacluster</c> tool as a process against the real cluster: verbs, JSON output and exit codes.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ToolEndToEndTests(ClusterFixture fixture)
{
    private string Url => fixture.Cluster.ApiUrl;

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public async Task SubmitWatchRunsReportDownloadAndWorkersSucceedWithJsonOutput()
    {
        string tag = "tool-" + Guid.NewGuid().ToString("N")[..8];
        // The coordinator from METACLUSTER_COORDINATOR this once; --coordinator below.
        var submit = await ToolProcess.RunAsync(
            ["submit", "--task", "sinusoid", "--algorithm", "maml", "--meta-steps", "20", "--meta-batch", "8", "--eval-tasks", "10",
             "--eval-inner-steps", "1,5", "--checkpoint-every", "10", "--tag", $"suite={tag}", "--name", "tool-run", "--output", "json"],
            new Dictionary<string, string> { ["METACLUSTER_COORDINATOR"] = Url });
        Assert.True(submit.ExitCode == 0, submit.Error);
        var submitted = Json(submit.Out);
        string runId = submitted.GetProperty("run_id").GetString()!;
        Assert.True(submitted.GetProperty("created").GetBoolean());

        var watch = await ToolProcess.RunAsync(["watch", runId, "--coordinator", Url, "--output", "json"]);
        Assert.True(watch.ExitCode == 0, watch.Error + watch.Out);
        var events = watch.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Json).ToArray();
        Assert.All(events[..^1], e => Assert.Equal("progress", e.GetProperty("type").GetString()));
        var result = events[^1];
        Assert.Equal("result", result.GetProperty("type").GetString());
        Assert.Equal("completed", result.GetProperty("state").GetString());
        Assert.Equal(2, result.GetProperty("summary").GetProperty("eval").GetProperty("results").GetArrayLength());

        var runs = await ToolProcess.RunAsync(["runs", "--coordinator", Url, "--tag", $"suite={tag}", "--output", "json"]);
        Assert.True(runs.ExitCode == 0, runs.Error);
        var listed = Json(runs.Out).GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal(runId, Assert.Single(listed).GetProperty("run_id").GetString());
        Assert.Equal("tool-run", listed[0].GetProperty("name").GetString());

        var report = await ToolProcess.RunAsync(["report", "--run", runId, "--coordinator", Url]);
        Assert.True(report.ExitCode == 0, report.Error);
        Assert.Contains($"run {runId} (tool-run): completed", report.Out);
        Assert.Contains("tasks/s", report.Out);
        Assert.Contains("steps 20/20", report.Out);
        Assert.Contains("after   5 inner step(s)", report.Out);

        using var temp = new TempDirectory();
        var download = await ToolProcess.RunAsync(["download", runId, "--out", temp.Path, "--coordinator", Url, "--output", "json"]);
        Assert.True(download.ExitCode == 0, download.Error);
        var files = Json(download.Out).GetProperty("files").EnumerateArray().Select(f => (f.GetProperty("path").GetString()!, f.GetProperty("size").GetInt64())).ToArray();
        using var client = fixture.Client();
        var expected = await client.ListFilesAsync(runId, TestContext.Current.CancellationToken);
        Assert.Equal(expected.Select(f => (f.Path, f.Size)), files);
        Assert.Contains(files, f => f.Item1.StartsWith("checkpoints/", StringComparison.Ordinal));
        Assert.All(files, f => Assert.Equal(f.Item2, new FileInfo(Path.Combine(temp.Path, f.Item1)).Length));

        var workers = await ToolProcess.RunAsync(["workers", "--coordinator", Url, "--output", "json"]);
        Assert.True(workers.ExitCode == 0, workers.Error);
        Assert.NotEqual(0, Json(workers.Out).GetProperty("workers").GetArrayLength());
    }

    [Fact]
    public async Task BadInputAndTheCoordinatorsRefusalsAreOneLineAndExitCodeTwo()
    {
        var refused = await ToolProcess.RunAsync(["submit", "--coordinator", Url, "--task", "sinusoid", "--algorithm", "protonet", "--meta-steps", "5"]);
        Assert.Equal(2, refused.ExitCode);
        Assert.Equal("", refused.Out);
        Assert.StartsWith("error: definition.algorithm", refused.Error);
        Assert.Single(refused.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var malformed = await ToolProcess.RunAsync(["submit", "--coordinator", Url, "--meta-steps", "many"]);
        Assert.Equal(2, malformed.ExitCode);
        Assert.Equal("error: --meta-steps must be an integer, got 'many'", malformed.Error.Trim());

        var unknown = await ToolProcess.RunAsync(["report", "run-missing", "--coordinator", Url]);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Equal("error: no run 'run-missing'", unknown.Error.Trim());

        var version = await ToolProcess.RunAsync(["--version"]);
        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith("0.1.0", version.Out);
    }

    [Fact]
    public async Task AStoppedRunMakesWatchExitWithOne()
    {
        var submit = await ToolProcess.RunAsync(["submit", "--coordinator", Url, "--meta-steps", "100000", "--kernels", "autograd", "--eval-tasks", "0"]);
        Assert.True(submit.ExitCode == 0, submit.Error);
        string runId = submit.Out.Trim();

        using (var client = fixture.Client())
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            // Stop it once it trains, so the stop interrupts real work.
            await foreach (var update in client.WatchAsync(runId, timeout.Token))
                if (update is RunProgressed { Progress.Step: >= 2 } or RunEnded) break;
        }
        var stop = await ToolProcess.RunAsync(["stop", runId, "--coordinator", Url]);
        Assert.True(stop.ExitCode == 0, stop.Error);
        Assert.Equal($"asked run {runId} to stop", stop.Out.Trim());

        var watch = await ToolProcess.RunAsync(["watch", runId, "--coordinator", Url]);
        Assert.Equal(1, watch.ExitCode);
        Assert.StartsWith($"error: run {runId} stopped", watch.Error);
    }
}
