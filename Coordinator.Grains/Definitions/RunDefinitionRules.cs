using MetaCluster.Abstractions;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Optimisation;
using MetaCluster.Learning.Tasks;
using MetaCluster.Learning.Tasks.Tabular;

namespace MetaCluster.Coordinator.Definitions;

/// <summary>
/// The one set of rules a run definition must meet, whoever wrote it (<c>train</c>'s flags, a
/// config file, <c>submit</c>, the API): ranges, combinations that cannot work, and the limits of
/// what one run may ask. Checks that need the data (paths, classes, images per class) are
/// <see cref="RunDataChecks"/>'. Throws <see cref="InvalidRunDefinitionException"/> for the first problem.
/// </summary>
public static class RunDefinitionRules
{
    /// <summary>Checks <paramref name="run"/>, naming fields as <paramref name="names"/> spells them.</summary>
    public static void Check(RunDefinition run, FieldNames names, RunLimits? limits = null)
    {
        limits ??= RunLimits.Default;
        var n = names;
        OneOf(n, "task", run.Task, TaskFamilyCatalog.Names);
        OneOf(n, "algorithm", run.Algorithm, AlgorithmCatalog.Names);
        Range(n, "workers", run.Workers, 1, 1024);
        Range(n, "meta-batch", run.MetaBatch, 1, limits.MaxTasksPerStep, $"the coordinator takes at most {limits.MaxTasksPerStep} tasks per step");
        Range(n, "shards", run.Shards, 1, limits.MaxShards, $"the coordinator takes at most {limits.MaxShards} shards per step");
        if (run.Shards > run.MetaBatch) Fail("shards", $"{n["shards"]} ({run.Shards}) cannot exceed {n["meta-batch"]} ({run.MetaBatch})");
        DevicePolicy.Check(run.Device, n);
        CheckData(run, n, limits);
        Range(n, "ways", run.Ways, 1, 10_000);
        Range(n, "shots", run.Shots, 1, 100_000);
        Range(n, "query", run.Query, 1, 100_000);
        Range(n, "inner-steps", run.InnerSteps, 0, 10_000);
        Positive(n, "inner-lr", run.InnerLr);
        Positive(n, "outer-lr", run.OuterLr);
        Range(n, "meta-steps", run.MetaSteps, 1, 100_000_000);
        CheckOuterOptimizer(run, n);
        Range(n, "eval-tasks", run.EvalTasks, 0, limits.MaxTasksPerStep, $"an evaluation round takes at most {limits.MaxTasksPerStep} tasks");
        if (run.EvalInnerSteps.Length == 0) Fail("eval-inner-steps", $"{n["eval-inner-steps"]} needs at least one step count");
        if (run.EvalInnerSteps.Length > limits.MaxListItems) Fail("eval-inner-steps", $"{n["eval-inner-steps"]} has more than {limits.MaxListItems} values");
        foreach (int k in run.EvalInnerSteps) Range(n, "eval-inner-steps", k, 0, 10_000);
        Range(n, "eval-query", run.EvalQuery, 0, 100_000);
        Range(n, "log-every", run.LogEvery, 1, int.MaxValue);
        if (!(run.ShardTimeoutSeconds > 0 && run.ShardTimeoutSeconds <= 86_400)) Fail("shard-timeout", $"{n["shard-timeout"]} must be greater than 0 and at most 86400 seconds, got {run.ShardTimeoutSeconds}");
        Range(n, "checkpoint-every", run.CheckpointEvery, 0, int.MaxValue);
        CheckRelations(run, n);
        CheckReptile(run, n);
        OneOf(n, "grad-dtype", run.GradDtype, GradientCodec.Names);
        OneOf(n, "kernels", run.Kernels, AlgorithmCatalog.KernelChoices);
        CheckReduction(run, n);
        CheckAlgorithmFitsTasks(run, n);
        CheckValidation(run, n, limits);
    }

    // Validation is opt-in; its options only mean something with val-every, and early stopping needs validations.
    private static void CheckValidation(RunDefinition run, FieldNames n, RunLimits limits)
    {
        Range(n, "val-every", run.ValEvery, 0, 100_000_000);
        Range(n, "val-tasks", run.ValTasks, 1, limits.MaxTasksPerStep, $"a validation round takes at most {limits.MaxTasksPerStep} tasks");
        if (run.ValInnerSteps is { } k) Range(n, "val-inner-steps", k, 0, 10_000);
        if (!(run.ValFraction > 0 && run.ValFraction < 1)) Fail("val-fraction", $"{n["val-fraction"]} must be between 0 and 1 (exclusive), got {run.ValFraction}");
        Range(n, "early-stop", run.EarlyStop, 0, 1_000_000);
        if (run.EarlyStop > 0 && run.ValEvery == 0) Fail("early-stop", $"{n["early-stop"]} needs {n["val-every"]}: it counts validations without improvement");
        if (run.ValClasses is not null && run.ValEvery == 0) Fail("val-classes", $"{n["val-classes"]} needs {n["val-every"]}");
        if (run.ValClasses is not null && run.Task != "images") Fail("val-classes", $"{n["val-classes"]} lists image classes; {n["task"]} {run.Task} has none");
        if (run.ValClasses is { } file) Text(n, "val-classes", file, limits);
        foreach (var (field, on) in new[] { ("multi-step-loss", run.MultiStepLoss), ("learned-inner-lr", run.LearnedInnerLr) })
            if (on && run.Algorithm is not ("maml" or "fomaml"))
                Fail(field, $"{n[field]} is a MAML++ option for maml and fomaml, not {run.Algorithm}");
    }

    // Families that read files need them, and generators take none; every text and list is bounded.
    private static void CheckData(RunDefinition run, FieldNames n, RunLimits limits)
    {
        bool reads = TaskFamilyCatalog.ReadsData(run.Task);
        if (reads && run.Data.Length == 0) Fail("data", $"{n["task"]} {run.Task} reads data: give {n["data"]} (a folder or zip for images, a CSV folder for tabular)");
        if (!reads && (run.Data.Length > 0 || run.EvalData.Length > 0)) Fail("data", $"{n["task"]} {run.Task} generates its tasks: {n["data"]} is for images and tabular");
        foreach (var (field, values) in new[] { ("data", run.Data), ("eval-data", run.EvalData), ("eval-groups", run.EvalGroups) })
        {
            if (values.Length > limits.MaxListItems) Fail(field, $"{n[field]} has {values.Length} values, more than {limits.MaxListItems}");
            foreach (var value in values) Text(n, field, value, limits);
        }
        Text(n, "eval-classes", run.EvalClasses, limits);
        Text(n, "target", run.Target, limits);
        Text(n, "device", run.Device, limits);
        Range(n, "image-size", run.ImageSize, 4, 1024, "larger images do not fit a worker's memory for a meta-batch");
        Text(n, "task-column", run.TaskColumn, limits);
        OneOf(n, "separator", run.Separator, CsvFormat.SeparatorNames);
        OneOf(n, "na", run.Na, CsvFormat.MissingNames);
        if (run.Channels is not (1 or 3)) Fail("channels", $"{n["channels"]} must be 1 (grayscale) or 3 (RGB), got {run.Channels}");
    }

    private static void CheckRelations(RunDefinition run, FieldNames n)
    {
        if (!(run.TrLambda >= 0 && run.TrLambda <= 1e6)) Fail("tr-lambda", $"{n["tr-lambda"]} must be between 0 and 1000000, got {run.TrLambda}");
        Range(n, "tr-heads", run.TrHeads, 1, 1024);
        Positive(n, "tr-tau", run.TrTau);
        Range(n, "tr-meta-data", run.TrMetaData, 1, 100_000);
        OneOf(n, "tr-sampler", run.TrSampler, ["hardest", "random"]);
        if (run.TrLambda == 0) return;
        if (run.MetaBatch < 2) Fail("tr-lambda", $"{n["tr-lambda"]} needs {n["meta-batch"]} of at least 2 (TRLearner relates tasks to each other), got {run.MetaBatch}");
        if (run.TrMetaData > run.Query) Fail("tr-meta-data", $"{n["tr-meta-data"]} ({run.TrMetaData}) cannot exceed {n["query"]} ({run.Query}): meta-data are chosen from the query set");
    }

    // The schedule lives inside the run's meta-steps; a floor needs a schedule that goes down to it.
    private static void CheckOuterOptimizer(RunDefinition run, FieldNames n)
    {
        OneOf(n, "outer-optimizer", run.OuterOptimizer, OuterOptimizerSettings.Names);
        OneOf(n, "lr-schedule", run.LrSchedule, LearningRateSchedule.Names);
        Range(n, "warmup-steps", run.WarmupSteps, 0, run.MetaSteps, $"warm-up is part of the run's {run.MetaSteps} meta-steps");
        NonNegative(n, "min-outer-lr", run.MinOuterLr);
        if (run.MinOuterLr > 0 && run.LrSchedule != "cosine")
            Fail("min-outer-lr", $"{n["min-outer-lr"]} is where the cosine schedule ends: give {n["lr-schedule"]} cosine, or leave it at 0");
        if (run.MinOuterLr > run.OuterLr)
            Fail("min-outer-lr", $"{n["min-outer-lr"]} ({run.MinOuterLr}) cannot exceed {n["outer-lr"]} ({run.OuterLr}): the cosine schedule goes down to it");
        NonNegative(n, "clip-grad-norm", run.ClipGradNorm);
        NonNegative(n, "weight-decay", run.WeightDecay);
    }

    // Reptile's outer direction is θ − θ̃, not the gradient of a query loss: it has nothing to add
    // TRLearner's relation loss to, and with no inner step θ̃ = θ and it never moves.
    private static void CheckReptile(RunDefinition run, FieldNames n)
    {
        if (run.Algorithm != "reptile") return;
        if (run.TrLambda > 0)
            Fail("tr-lambda", $"{n["tr-lambda"]}: reptile's outer direction is θ − θ̃ (no query loss to add the relation loss to), so TRLearner does not apply; leave it at 0 with {n["algorithm"]} reptile");
        if (run.InnerSteps < 1)
            Fail("inner-steps", $"{n["inner-steps"]} must be at least 1 with {n["algorithm"]} reptile: with no inner step θ̃ = θ and the outer direction is zero");
    }

    private static void CheckReduction(RunDefinition run, FieldNames n)
    {
        Range(n, "reduce-group", run.ReduceGroup, 1, run.Shards, "a group is made of the step's shards");
        Range(n, "reduce-tree", run.ReduceTree, 1, run.Shards, "a super-group is made of the step's shards");
        if ((long)run.ReduceGroup * run.ReduceTree > run.Shards)
            Fail("reduce-tree", $"{n["reduce-tree"]} ({run.ReduceTree}) × {n["reduce-group"]} ({run.ReduceGroup}) cannot exceed {n["shards"]} ({run.Shards}): a super-group is made of the step's shards");
        if (run.TrLambda > 0 && run.ReduceGroup > 1)
            Fail("reduce-group", $"{n["reduce-group"]}: TRLearner's two-phase step keeps each shard's graph on its worker, so its shards are not pre-reduced; leave it at 1 with {n["tr-lambda"]}");
        if (run.TrLambda > 0 && run.ReduceTree > 1)
            Fail("reduce-tree", $"{n["reduce-tree"]}: TRLearner's two-phase step keeps each shard's graph on its worker, so its shards are not pre-reduced; leave it at 1 with {n["tr-lambda"]}");
    }

    // Generators make regression tasks; algorithms that classify cannot learn them (tabular and
    // images decide with their data: RunDataChecks).
    private static void CheckAlgorithmFitsTasks(RunDefinition run, FieldNames n)
    {
        if (!TaskFamilyCatalog.ReadsData(run.Task) && AlgorithmCatalog.NeedsClassification(run.Algorithm))
            Fail("algorithm", $"{n["algorithm"]} {run.Algorithm} classifies, but {n["task"]} {run.Task} makes regression tasks: use maml, fomaml, anil, foanil, metasgd, mtl or reptile");
    }

    private static void Range(FieldNames n, string field, int value, int min, int max, string? why = null)
    {
        if (value >= min && value <= max) return;
        string range = max == int.MaxValue ? $"at least {min}" : $"between {min} and {max}";
        Fail(field, $"{n[field]} must be {range}, got {value}{(why is null || value < min ? "" : $" ({why})")}");
    }

    private static void NonNegative(FieldNames n, string field, double value)
    {
        if (!(value >= 0 && value <= 1e6)) Fail(field, $"{n[field]} must be between 0 and 1000000, got {value}");
    }

    private static void Positive(FieldNames n, string field, double value)
    {
        if (!(value > 0 && value <= 1e6)) Fail(field, $"{n[field]} must be greater than 0 and at most 1000000, got {value}");
    }

    private static void OneOf(FieldNames n, string field, string value, IReadOnlyList<string> choices)
    {
        if (!choices.Contains(value)) Fail(field, $"{n[field]} must be one of {string.Join(", ", choices)}; got '{Shorten(value)}'");
    }

    private static void Text(FieldNames n, string field, string? value, RunLimits limits)
    {
        if (value is not null && value.Length > limits.MaxTextLength) Fail(field, $"{n[field]} is {value.Length} characters long, more than {limits.MaxTextLength}");
    }

    // A hostile value is never echoed whole.
    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";

    private static void Fail(string field, string message) => throw new InvalidRunDefinitionException(field, message);
}
