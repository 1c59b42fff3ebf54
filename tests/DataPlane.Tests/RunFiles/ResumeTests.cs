using System.Text.Json;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Output;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Tasks;
using Microsoft.Extensions.Logging;

namespace MetaCluster.Tests.RunFiles;

/// <summary><c>--resume</c> through the run's recorder, on real checkpoint files, without a cluster.</summary>
public sealed class ResumeTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly ListLogger log = new();

    private RunDefinition Run(bool resume = true) => new()
    {
        Task = "sinusoid", Algorithm = "maml", Seed = 3, MetaSteps = 10, CheckpointEvery = 2, LogEvery = 1, EvalTasks = 0,
        OutputDirectory = folder.Path, Resume = resume,
    };

    private static RunParameters Parameters(RunDefinition run) =>
        RunParameters.Initialize("run-test", run, new Maml(new InnerLoopSettings(1, 0.01), false), new SinusoidTasks().CreateModel(),
            new ParameterPublisher(new ParameterStore(), new AssignmentSecrets()));

    // The checkpoints an earlier process of the run left: steps 2 and 4.
    private string[] EarlierCheckpoints()
    {
        var run = Run(resume: false);
        new RunDirectory(folder.Path).WriteJson("run.json", run);
        using var parameters = Parameters(run);
        var checkpoints = new CheckpointDirectory(folder.Path);
        return [checkpoints.Save(parameters.Snapshot(run, 2)), checkpoints.Save(parameters.Snapshot(run, 4))];
    }

    private JsonElement Summary(RunRecorder recorder)
    {
        recorder.Complete(1, 1, 0, 0, null);
        return JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "summary.json"))).RootElement;
    }

    [Theory]
    [InlineData("damaged")]
    [InlineData("truncated")]
    public void ResumeFallsBackToTheNewestValidCheckpointAndSaysSo(string harm)
    {
        var files = EarlierCheckpoints();
        var bytes = File.ReadAllBytes(files[1]);
        if (harm == "damaged") bytes[^40] ^= 0x10;
        File.WriteAllBytes(files[1], harm == "truncated" ? bytes[..^50] : bytes);
        var recorder = new RunRecorder("run-test", Run(), log);
        using var parameters = Parameters(Run());

        Assert.Equal(2, recorder.Begin(parameters, TaskKind.Regression));

        Assert.Contains(log.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains(files[1]) && l.Text.Contains("does not verify"));
        Assert.Contains(log.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains("resumes from the older checkpoint of step 2"));
        Assert.Equal("from step 2 (step-00000002.ckpt; newer checkpoints did not verify: step-00000004.ckpt)", Summary(recorder).GetProperty("resume").GetString());
    }

    [Fact]
    public void AResumeWithADifferentSeedIsRefusedNamingTheFieldAndKeepsRunJson()
    {
        EarlierCheckpoints();
        string runJson = File.ReadAllText(Path.Combine(folder.Path, "run.json"));
        var changed = Run() with { Seed = 4 };
        using var parameters = Parameters(changed);

        var error = Assert.Throws<RunRefusedException>(() => new RunRecorder("run-test", changed, log).Begin(parameters, TaskKind.Regression));

        Assert.StartsWith("--resume: seed is 4, but the run in ", error.Message);
        Assert.Contains("step-00000004.ckpt was made with seed 3", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(runJson, File.ReadAllText(Path.Combine(folder.Path, "run.json")));
    }

    [Fact]
    public void AResumeMayChangeWorkersDeviceShardTimeoutAndMetaStepsOnly()
    {
        EarlierCheckpoints();
        var moved = Run() with { Workers = 8, Device = "cuda:1", ShardTimeoutSeconds = 30, MetaSteps = 20 };
        using var parameters = Parameters(moved);

        Assert.Equal(4, new RunRecorder("run-test", moved, log).Begin(parameters, TaskKind.Regression));
        Assert.Equal("inner_lr", ResumeCheck.FirstDifference(Run(), Run() with { InnerLr = 0.02, OuterLr = 0.5 })?.Field);
    }

    [Fact]
    public void AResumeToFewerStepsThanItsCheckpointHasIsRefused()
    {
        EarlierCheckpoints();
        var shorter = Run() with { MetaSteps = 3 };
        using var parameters = Parameters(shorter);

        var error = Assert.Throws<RunRefusedException>(() => new RunRecorder("run-test", shorter, log).Begin(parameters, TaskKind.Regression));

        Assert.EndsWith("step-00000004.ckpt is already at step 4", error.Message);
    }

    [Fact]
    public void ACheckpointWhoseTensorsDifferFromTheModelIsRefused()
    {
        var run = Run(resume: false);
        using (var parameters = Parameters(run))
            new CheckpointDirectory(folder.Path).Save(parameters.Snapshot(run, 2) with { Tensors = [new TensorEntry("theta", [parameters.Elements])] });
        using var resumed = Parameters(Run());

        var error = Assert.Throws<RunRefusedException>(() => new RunRecorder("run-test", Run(), log).Begin(resumed, TaskKind.Regression));

        Assert.Contains("tensor 0 is layer0.weight [40, 1]", error.Message);
    }

    [Fact]
    public void AResumeWithoutACheckpointStartsFreshAndSaysSo()
    {
        var recorder = new RunRecorder("run-test", Run(), log);
        using var parameters = Parameters(Run());

        Assert.Equal(0, recorder.Begin(parameters, TaskKind.Regression));

        Assert.Contains(log.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains("found no checkpoint") && l.Text.Contains("starts fresh"));
        Assert.StartsWith("started fresh: --resume found no checkpoint in ", Summary(recorder).GetProperty("resume").GetString());
    }

    [Fact]
    public void AResumeWhoseCheckpointsAllFailToVerifyIsRefusedRatherThanStartingOver()
    {
        foreach (var file in EarlierCheckpoints()) File.WriteAllBytes(file, File.ReadAllBytes(file)[..50]);
        using var parameters = Parameters(Run());

        var error = Assert.Throws<RunRefusedException>(() => new RunRecorder("run-test", Run(), log).Begin(parameters, TaskKind.Regression));

        Assert.Contains("no checkpoint in", error.Message);
        Assert.Contains("step-00000004.ckpt: truncated", error.Message);
    }

    [Fact]
    public void ATornLastMetricsLineIsDroppedOnResumeAndNamed()
    {
        EarlierCheckpoints();
        string metrics = Path.Combine(folder.Path, "metrics.jsonl");
        // Lines of steps 1 to 3, and step 4's cut off by a kill in the middle of its append.
        string Line(int step) => $$"""{"step":{{step}},"loss":1.5,"metric":"mse","value":1.5,"tasks_per_second":10,"workers":1,"elapsed_seconds":1,"retries":0}""";
        File.WriteAllText(metrics, $"{Line(1)}\n{Line(2)}\n{Line(3)}\n{Line(4)[..40]}");
        var recorder = new RunRecorder("run-test", Run(), log);
        using var parameters = Parameters(Run());

        Assert.Equal(4, recorder.Begin(parameters, TaskKind.Regression));

        Assert.Equal([Line(1), Line(2), Line(3)], File.ReadAllLines(metrics));
        Assert.Contains(log.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains($"{metrics}:4: dropped a torn last line"));
    }

    public void Dispose() => folder.Dispose();

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Text)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines) Lines.Add((logLevel, formatter(state, exception)));
        }
    }
}
