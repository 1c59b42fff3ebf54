using System.Globalization;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Output;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Images;
using MetaCluster.Learning.Tasks;
using MetaCluster.ServiceDefaults.Options;
using static TorchSharp.torch;
using MetaCluster.Abstractions;

namespace MetaCluster.Coordinator.Cli;

/// <summary>
/// <c>eval</c>: evaluates a checkpoint on freshly sampled held-out tasks, on a set of fixed
/// episodes (<c>--episodes DIR</c> with DIR/&lt;episode&gt;/support|query/&lt;class&gt;/&lt;image&gt;), or on one
/// episode folder (DIR/support, DIR/query), printing the predicted class of every query image.
/// Writes eval.json in <c>--out</c>. Runs in this process: no cluster is needed to score a model.
/// </summary>
public static class EvalCommand
{
    private static readonly string[] Valued = ["run", "checkpoint", "episodes", "out", "eval-tasks", "eval-inner-steps", "eval-query", "seed", "threads", "batch"];

    /// <summary>Runs the verb; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output)
    {
        var o = new OptionReader(args, Valued, []);
        string path = CheckpointPath(o);
        Checkpoint checkpoint;
        try { checkpoint = Checkpoint.Load(path); }
        catch (InvalidDataException e) { throw new UsageException(e.Message); }

        var run = checkpoint.Definition with
        {
            EvalTasks = o.Int("eval-tasks", checkpoint.Definition.EvalTasks > 0 ? checkpoint.Definition.EvalTasks : 600, 1, 10_000_000),
            EvalInnerSteps = o.IntList("eval-inner-steps", checkpoint.Definition.EvalInnerSteps, 0, 10_000),
            EvalQuery = o.Int("eval-query", checkpoint.Definition.EvalQuery, 0, 100_000),
            Seed = o.UInt64("seed", checkpoint.Definition.Seed),
        };
        int batchSize = o.Int("batch", 50, 1, 100_000);
        int threads = o.Int("threads", 0, 0, 1024);
        if (threads > 0) set_num_threads(threads);
        string outDir = o.OptionalString("out") ?? Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(path)))!;

        ITaskFamily family;
        try { family = TaskFamilyCatalog.Create(run.Task, run.ToDataOptions()); }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException) { throw new UsageException(e.Message); }
        var model = family.CreateModel();
        var algorithm = AlgorithmCatalog.Create(run.Algorithm, new InnerLoopSettings(run.InnerSteps, run.InnerLr));
        using var theta = tensor(checkpoint.Theta);
        output.WriteLine($"evaluating {path} ({run.Task}, {run.Algorithm}, step {checkpoint.Step})");

        var report = o.OptionalString("episodes") is { } episodes
            ? Episodes(episodes, family, model, algorithm, theta, run, output)
            : Sampled(family, model, algorithm, theta, run, batchSize);
        new RunDirectory(outDir).WriteJson("eval.json", report with { Checkpoint = Path.GetFullPath(path), Step = checkpoint.Step, Task = run.Task, Algorithm = run.Algorithm });
        foreach (var p in report.Results)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  after {p.InnerSteps,3} inner step(s): {report.Metric} {p.Describe(report.Episodes)} over {report.Episodes} episode(s)"));
        output.WriteLine($"wrote {Path.Combine(Path.GetFullPath(outDir), "eval.json")}");
        return 0;
    }

    private static string CheckpointPath(OptionReader o)
    {
        string? file = o.OptionalString("checkpoint");
        string? runDir = o.OptionalString("run");
        if ((file is null) == (runDir is null)) throw new UsageException("give exactly one of --run DIR or --checkpoint FILE");
        if (file is not null) return File.Exists(file) ? file : throw new UsageException($"--checkpoint: no file '{file}'");
        var checkpoints = Path.Combine(runDir!, "checkpoints");
        string final = Path.Combine(checkpoints, "final.ckpt");
        if (File.Exists(final)) return final;
        return new CheckpointDirectory(runDir!).LatestPath() ?? throw new UsageException($"--run: '{runDir}' holds no checkpoint (looked in {checkpoints})");
    }

    private static EvalReport Sampled(ITaskFamily family, Learning.Models.IFunctionalModel model, IMetaAlgorithm algorithm, Tensor theta, RunDefinition run, int batchSize)
    {
        var shape = new EpisodeShape(Math.Max(1, run.Ways), run.Shots, run.EvalQuery > 0 ? run.EvalQuery : run.Query);
        var perTask = new List<double[]>();
        for (int first = 0; first < run.EvalTasks; first += batchSize)
        {
            var indices = Enumerable.Range(first, Math.Min(batchSize, run.EvalTasks - first)).Select(i => (long)i).ToArray();
            using var batch = family.Sample(run.Seed, TaskStream.Evaluation, 0, indices, shape);
            var outcome = algorithm.Evaluate(model, theta, batch, run.EvalInnerSteps);
            for (int i = 0; i < indices.Length; i++)
                perTask.Add(Enumerable.Range(0, run.EvalInnerSteps.Length).Select(j => outcome.Metrics[i, j]).ToArray());
        }
        return Report(TaskLosses.MetricName(family.Kind), run.EvalInnerSteps, perTask, null);
    }

    private static EvalReport Episodes(string path, ITaskFamily family, Learning.Models.IFunctionalModel model, IMetaAlgorithm algorithm, Tensor theta, RunDefinition run, TextWriter output)
    {
        if (family is not ImageTasks images) throw new UsageException($"--episodes needs an image run; this checkpoint is a {run.Task} run");
        bool single = Directory.Exists(Path.Combine(path, "support")) && Directory.Exists(Path.Combine(path, "query"));
        IReadOnlyList<FixedEpisode> episodes;
        try { episodes = single ? [FixedEpisodeReader.ReadSingle(path, images.Format)] : FixedEpisodeReader.ReadSet(path, images.Format); }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException) { throw new UsageException(e.Message); }
        var perEpisode = new List<double[]>();
        var accuracies = new List<EpisodeAccuracy>();
        foreach (var episode in episodes)
        {
            using (episode)
            {
                if (episode.ClassNames.Count > model.OutputCount)
                    throw new UsageException($"episode '{episode.Name}' has {episode.ClassNames.Count} classes; this model was trained for {model.OutputCount}-way tasks");
                var outcome = algorithm.Evaluate(model, theta, episode.Batch, run.EvalInnerSteps);
                if (single)
                {
                    using var scores = tensor(outcome.Predictions!, outcome.PredictionShape);
                    foreach (var p in episode.Predict(scores))
                        output.WriteLine(p.Actual is null ? $"{p.File}\t{p.Predicted}" : $"{p.File}\t{p.Predicted}\t(actual {p.Actual}{(p.Correct ? "" : ", wrong")})");
                }
                if (!episode.HasQueryLabels) continue;
                var values = Enumerable.Range(0, run.EvalInnerSteps.Length).Select(j => outcome.Metrics[0, j]).ToArray();
                perEpisode.Add(values);
                accuracies.Add(new EpisodeAccuracy(episode.Name, values[^1]));
            }
        }
        if (perEpisode.Count == 0) return new EvalReport("accuracy", 0, []) { Episodes_ = accuracies, Source = Path.GetFullPath(path) };
        return Report("accuracy", run.EvalInnerSteps, perEpisode, accuracies) with { Source = Path.GetFullPath(path) };
    }

    private static EvalReport Report(string metric, int[] innerSteps, List<double[]> rows, List<EpisodeAccuracy>? episodes)
    {
        var points = innerSteps.Select((k, j) => EvaluationPoint.Of(k, rows.Select(r => r[j]).ToArray())).ToArray();
        return new EvalReport(metric, rows.Count, points) { Episodes_ = episodes };
    }
}

/// <summary>eval.json: the eval object of summary.json plus what was evaluated.</summary>
public sealed record EvalReport(string Metric, int Episodes, IReadOnlyList<EvaluationPoint> Results)
{
    public string? Checkpoint { get; init; }
    public long Step { get; init; }
    public string? Task { get; init; }
    public string? Algorithm { get; init; }
    /// <summary>The fixed-episode folder, when one was evaluated.</summary>
    public string? Source { get; init; }
    /// <summary>Accuracy of each fixed episode after the largest inner-step count.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("per_episode")]
    public IReadOnlyList<EpisodeAccuracy>? Episodes_ { get; init; }
}

/// <summary>One fixed episode's accuracy.</summary>
public sealed record EpisodeAccuracy(string Episode, double Accuracy);
