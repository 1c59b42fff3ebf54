using MetaCluster.Abstractions;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Learning.Optimisation;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Images;
using MetaCluster.Learning.Relations;
using MetaCluster.Learning.Tasks;
using MetaCluster.Learning.Tasks.Tabular;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// What a <see cref="RunDefinition"/> (a plain record shared by every silo and client) means to the
/// learning library and on the wire.
/// </summary>
public static class RunDefinitionMapping
{
    /// <summary>TRLearner's settings.</summary>
    public static TrLearnerSettings TrLearner(this RunDefinition run) =>
        new(run.TrLambda, run.TrMetaData, ParseSampler(run.TrSampler), run.TrHeads, Temperature: run.TrTau);

    /// <summary>A sampler name as the command line spells it.</summary>
    public static MetaDataStrategy ParseSampler(string name) => name switch
    {
        "hardest" => MetaDataStrategy.Hardest,
        "random" => MetaDataStrategy.Random,
        _ => throw new ArgumentException($"TRLearner sampler must be hardest or random, got '{name}'"),
    };

    /// <summary>
    /// The outer optimiser: the rule and base rate, the schedule over the run's meta-steps, clipping
    /// and weight decay.
    /// </summary>
    public static OuterOptimizerSettings OuterOptimizer(this RunDefinition run) =>
        new(OuterOptimizerSettings.Parse(run.OuterOptimizer), run.OuterLr)
        {
            Schedule = new LearningRateSchedule(LearningRateSchedule.Parse(run.LrSchedule), run.WarmupSteps, run.MetaSteps, run.MinOuterLr),
            ClipGradNorm = run.ClipGradNorm,
            WeightDecay = run.WeightDecay,
        };

    /// <summary>The data options of the task family.</summary>
    public static TaskDataOptions ToDataOptions(this RunDefinition run) => new()
    {
        Data = run.Data, EvalData = run.EvalData, EvalGroups = run.EvalGroups, EvalClassList = run.EvalClasses,
        Target = run.Target, Rotations = run.Rotations, Ways = run.Ways, ImageFormat = run.ImageFormat(),
        TaskColumn = run.TaskColumn, TableFormat = new CsvFormat(CsvFormat.ParseSeparator(run.Separator), CsvFormat.ParseMissing(run.Na)),
        ValidationFraction = run.ValidationFraction(), ValidationClassList = run.ValEvery > 0 ? run.ValClasses : null,
    };

    /// <summary>
    /// The share of the meta-training classes or files the run holds out for validation: its
    /// <c>val_fraction</c> when it validates a data-reading family without a class list, else 0
    /// (a run that does not validate trains on everything).
    /// </summary>
    public static double ValidationFraction(this RunDefinition run) =>
        run.ValEvery > 0 && run.ValClasses is null && TaskFamilyCatalog.ReadsData(run.Task) ? run.ValFraction : 0;

    /// <summary>The inner loop, with the MAML++ options.</summary>
    public static InnerLoopSettings InnerLoop(this RunDefinition run) =>
        new(run.InnerSteps, run.InnerLr, run.MultiStepLoss, run.LearnedInnerLr);

    /// <summary>The stored image format: <c>--image-size</c> square, <c>--channels</c>, <c>--invert</c>.</summary>
    public static ImageFormat ImageFormat(this RunDefinition run) => new(run.ImageSize, run.ImageSize, run.Channels, run.Invert);

    /// <summary>The worker-facing part of the definition.</summary>
    public static RunSpec ToSpec(this RunDefinition run)
    {
        var spec = new RunSpec
        {
            Task = run.Task, Algorithm = run.Algorithm, Ways = run.Ways, Shots = run.Shots, Query = run.Query,
            InnerSteps = run.InnerSteps, InnerLr = run.InnerLr, Seed = run.Seed, EvalQuery = run.EvalQuery,
        };
        spec.EvalInnerSteps.AddRange(run.EvalInnerSteps);
        spec.Data.AddRange(run.Data);
        spec.EvalData.AddRange(run.EvalData);
        spec.EvalGroups.AddRange(run.EvalGroups);
        spec.EvalClasses = run.EvalClasses ?? "";
        spec.Target = run.Target ?? "";
        spec.Rotations = run.Rotations;
        spec.GradDtype = GradientCodec.Parse(run.GradDtype);
        spec.Kernels = run.Kernels;
        // Only a run that validates changes the training data (its split); others send the spec they always did.
        spec.ValFraction = run.ValidationFraction();
        if (run.ValEvery > 0 && run.ValClasses is not null) spec.ValClasses = run.ValClasses;
        // Omniglot's format leaves the fields unset, so a default run's spec is what it was.
        if (run.ImageSize != 28) spec.ImageSize = run.ImageSize;
        if (run.Channels != 1) spec.Channels = run.Channels;
        if (!run.Invert) spec.Invert = false;
        if (run.TaskColumn is not null) spec.TaskColumn = run.TaskColumn;
        if (run.Separator != "comma") spec.Separator = run.Separator;
        if (run.Na != "error") spec.Na = run.Na;
        spec.MultiStepLoss = run.MultiStepLoss;
        spec.LearnedInnerLr = run.LearnedInnerLr;
        if (run.TrLambda != 0)
        {
            spec.TrLambda = run.TrLambda;
            spec.TrMetaData = run.TrMetaData;
            spec.TrSampler = run.TrSampler;
        }
        return spec;
    }
}
