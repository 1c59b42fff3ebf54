using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Tasks;
using MetaCluster.ServiceDefaults.Security;

namespace MetaCluster.Coordinator.Definitions;

/// <summary>
/// The checks of a run definition that need its data and the machine, after
/// <see cref="RunDefinitionRules"/>: the data paths resolved (symbolic links included) inside the
/// data roots before anything else looks at them, then that they exist; then the task family built
/// as the run will build it (cached for the run) and one task of each stream sampled, which catches
/// more ways than classes and fewer images than shots and queries; the algorithm against the kind of
/// tasks; and the coordinator memory the run would need.
/// </summary>
public static class RunDataChecks
{
    /// <summary>
    /// Checks <paramref name="run"/>'s data; <paramref name="dataRoots"/> null means any local path
    /// (<c>train</c> reads the user's own files), an empty list means none (a coordinator without
    /// <c>--data-root</c>). Throws <see cref="InvalidRunDefinitionException"/>.
    /// </summary>
    public static void Check(RunDefinition run, FieldNames names, IReadOnlyList<string>? dataRoots, RunLimits? limits = null)
    {
        limits ??= RunLimits.Default;
        var fields = new[] { ("data", run.Data), ("eval-data", run.EvalData), ("eval-classes", run.EvalClasses is null ? [] : new[] { run.EvalClasses }),
            ("val-classes", run.ValClasses is null ? [] : new[] { run.ValClasses }) };
        if (dataRoots is not null)
            foreach (var (field, paths) in fields)
                if (DataRoots.Violation(paths, dataRoots) is { } violation) throw new InvalidRunDefinitionException(field, $"{names[field]}: {violation}");
        foreach (var (field, paths) in fields)
            foreach (var path in paths)
                if (!File.Exists(path) && !Directory.Exists(path)) throw new InvalidRunDefinitionException(field, $"{names[field]}: no file or directory '{path}'");

        ITaskFamily family;
        try
        {
            family = TaskFamilyCatalog.Create(run.Task, run.ToDataOptions());
            var train = new EpisodeShape(Math.Max(1, run.Ways), run.Shots, run.Query);
            family.Sample(run.Seed, TaskStream.Train, 0, [0], train).Dispose();
            if (run.EvalTasks > 0)
                family.Sample(run.Seed, TaskStream.Evaluation, 0, [0], train with { Query = run.EvalQuery > 0 ? run.EvalQuery : run.Query }).Dispose();
            if (run.ValEvery > 0)
                family.Sample(run.Seed, TaskStream.Validation, 0, [0], train with { Query = run.EvalQuery > 0 ? run.EvalQuery : run.Query }).Dispose();
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidRunDefinitionException("data", $"{names["data"]}: {e.Message.Split('\n')[0]}");
        }
        if (AlgorithmCatalog.NeedsClassification(run.Algorithm) && family.Kind != TaskKind.Classification)
            throw new InvalidRunDefinitionException("algorithm", $"{names["algorithm"]} {run.Algorithm} classifies, but this data makes {family.Kind.ToString().ToLowerInvariant()} tasks");
        CheckMemory(run, family, names, limits);
    }

    // The coordinator holds θ, Adam's two moments, two published copies, the step's sum and, at
    // worst, one early buffer per unit of the step: (6 + units) float32 vectors.
    private static void CheckMemory(RunDefinition run, ITaskFamily family, FieldNames names, RunLimits limits)
    {
        var model = family.CreateModel();
        long parameters = AlgorithmCatalog.Create(run.Algorithm, run.InnerLoop()).MetaLayout(model).Count;
        var tr = run.TrLearner();
        if (tr.Enabled) parameters += (long)tr.Heads * tr.ProjectionSize * model.FeatureSize;
        long units = (run.Shards + (long)run.ReduceGroup * run.ReduceTree - 1) / ((long)run.ReduceGroup * run.ReduceTree);
        long bytes = parameters * sizeof(float) * (6 + units);
        if (bytes > limits.MemoryBudgetBytes)
            throw new InvalidRunDefinitionException("shards",
                $"{names["shards"]} ({run.Shards}) with {parameters} parameters would need about {bytes >> 20} MiB of coordinator memory, more than its budget of {limits.MemoryBudgetBytes >> 20} MiB: use fewer shards or {names["reduce-group"]}");
    }
}
