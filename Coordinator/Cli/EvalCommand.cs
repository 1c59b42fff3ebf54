using System.Globalization;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Output;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Images;
using MetaCluster.Learning.Tasks;
using System.CommandLine;
using MetaCluster.ServiceDefaults.Options;
using static MetaCluster.ServiceDefaults.Options.CheckedOptions;
using static TorchSharp.torch;
using MetaCluster.Abstractions;

namespace MetaCluster.Coordinator.Cli;

/// <summary>
/// <c>eval</c>: evaluates a checkpoint on freshly sampled held-out tasks, on a set of fixed
/// episodes (<c>--episodes DIR</c> with DIR/&lt;episode&gt;/support|query/&lt;class&gt;/&lt;image&gt;), or on one
/// episode folder (DIR/support, DIR/query), printing the predicted class of every query image.
/// Writes eval.json in <c>--out</c>. Runs in this process: no cluster is needed to score a model.
/// </summary>
public sealed class EvalCommand : IVerb
{
    private readonly Option<string?> runDirectory = OptionalText("--run", "the run directory whose best (checkpoints/best.ckpt, when the run validated), final or newest checkpoint to evaluate", "DIR");
    private readonly Option<string?> checkpointFile = OptionalText("--checkpoint", "the checkpoint file to evaluate (instead of --run)", "FILE");
    private readonly Option<string?> episodes = OptionalText("--episodes", "fixed episodes (DIR/<episode>/support|query/<class>/<image>), or one episode folder (DIR/support, DIR/query)", "DIR");
    private readonly Option<string?> outDirectory = OptionalText("--out", "where eval.json goes", "DIR", "the run directory");
    private readonly Option<int?> evalTasks = OptionalInt("--eval-tasks", "freshly sampled held-out tasks", 1, 10_000_000, "E", "the run's, or 600");
    private readonly Option<IntegerList?> evalInnerSteps = IntList("--eval-inner-steps", "inner steps after which the metric is reported", null, 0, 10_000, describedDefault: "the run's");
    private readonly Option<int?> evalQuery = OptionalInt("--eval-query", "query examples per evaluation task", 0, 100_000, "Q", "the run's");
    private readonly Option<ulong?> seed = OptionalUInt64("--seed", "seed of the sampled tasks", "S", "the run's");
    private readonly Option<int> threads = Int("--threads", "libtorch intra-op threads (0: libtorch's choice)", 0, 0, 1024);
    private readonly Option<int> batch = Int("--batch", "tasks evaluated at once", 50, 1, 100_000);

    /// <inheritdoc />
    public int Order => 20;

    /// <inheritdoc />
    public Command Create()
    {
        var command = new Command("eval", "evaluate a checkpoint (--run DIR or --checkpoint FILE) on sampled held-out tasks or on fixed episodes; writes eval.json");
        foreach (var option in new Option[] { runDirectory, checkpointFile, episodes, outDirectory, evalTasks, evalInnerSteps, evalQuery, seed, threads, batch })
            command.Options.Add(option);
        command.SetAction(result => Run(result, result.InvocationConfiguration.Output));
        return command;
    }

    private int Run(ParseResult o, TextWriter output)
    {
        string path = CheckpointPath(o.GetValue(checkpointFile), o.GetValue(runDirectory));
        Checkpoint checkpoint;
        try { checkpoint = Checkpoint.Load(path); }
        catch (InvalidDataException e) { throw new UsageException(e.Message); }

        var saved = checkpoint.Definition;
        var run = saved with
        {
            EvalTasks = o.GetValue(evalTasks) ?? (saved.EvalTasks > 0 ? saved.EvalTasks : 600),
            EvalInnerSteps = o.GetValue(evalInnerSteps)?.ToArray() ?? saved.EvalInnerSteps,
            EvalQuery = o.GetValue(evalQuery) ?? saved.EvalQuery,
            Seed = o.GetValue(seed) ?? saved.Seed,
        };
        int batchSize = o.GetValue(batch);
        if (o.GetValue(threads) is > 0 and var count) set_num_threads(count);
        string outDir = o.GetValue(outDirectory) ?? Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(path)))!;

        ITaskFamily family;
        try { family = TaskFamilyCatalog.Create(run.Task, run.ToDataOptions()); }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException) { throw new UsageException(e.Message); }
        var model = family.CreateModel();
        var algorithm = AlgorithmCatalog.Create(run.Algorithm, run.InnerLoop());
        using var theta = tensor(checkpoint.ModelTheta());
        string which = Path.GetFileName(path) == RunRecorder.BestName ? ", the best validation's checkpoint" : "";
        output.WriteLine($"evaluating {path} ({run.Task}, {run.Algorithm}, step {checkpoint.Step}{which})");

        var report = o.GetValue(episodes) is { } folder
            ? Episodes(folder, family, model, algorithm, theta, run, output)
            : Sampled(family, model, algorithm, theta, run, batchSize);
        new RunDirectory(outDir).WriteJson("eval.json", report with { Checkpoint = Path.GetFullPath(path), Step = checkpoint.Step, Task = run.Task, Algorithm = run.Algorithm });
        foreach (var p in report.Results)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  after {p.InnerSteps,3} inner step(s): {report.Metric} {p.Describe(report.Episodes)} over {report.Episodes} episode(s)"));
        output.WriteLine($"wrote {Path.Combine(Path.GetFullPath(outDir), "eval.json")}");
        return 0;
    }

    private static string CheckpointPath(string? file, string? runDir)
    {
        if ((file is null) == (runDir is null)) throw new UsageException("give exactly one of --run DIR or --checkpoint FILE");
        if (file is not null) return File.Exists(file) ? file : throw new UsageException($"--checkpoint: no file '{file}'");
        var checkpoints = Path.Combine(runDir!, "checkpoints");
        string best = Path.Combine(checkpoints, RunRecorder.BestName);
        if (File.Exists(best)) return best;
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
