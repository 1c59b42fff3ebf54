using MetaCluster.Abstractions;
using Api = MetaCluster.Protos.Api.V1;

namespace MetaCluster.Coordinator.Definitions;

/// <summary>
/// The public API's typed <c>RunDefinition</c> both ways: a field left unset takes <c>train</c>'s
/// default (including the defaults that depend on other fields: 5 ways for images, as many shards
/// as workers, the outer optimiser and rate of the algorithm), so a definition means the same from
/// the command line, a config file and a client.
/// </summary>
public static class ApiRunDefinitions
{
    /// <summary>The defaults of <c>train</c>, before the ones that depend on other fields.</summary>
    public static RunDefinition Defaults { get; } = new() { Workers = 2, Shards = 0, Ways = 0, OuterLr = double.NaN, OuterOptimizer = "" };

    /// <summary>A run definition from the API's message, defaults filled in.</summary>
    public static RunDefinition ToRecord(Api.RunDefinition api)
    {
        var d = Defaults;
        var run = d with
        {
            Task = api.HasTask ? api.Task : d.Task,
            Algorithm = api.HasAlgorithm ? api.Algorithm : d.Algorithm,
            Data = [.. api.Data],
            EvalData = [.. api.EvalData],
            EvalGroups = [.. api.EvalGroups],
            EvalClasses = api.HasEvalClasses ? api.EvalClasses : null,
            Target = api.HasTarget ? api.Target : null,
            Rotations = api.HasRotations ? api.Rotations : d.Rotations,
            Ways = api.HasWays ? api.Ways : 0,
            Shots = api.HasShots ? api.Shots : d.Shots,
            Query = api.HasQuery ? api.Query : d.Query,
            MetaBatch = api.HasMetaBatch ? api.MetaBatch : d.MetaBatch,
            InnerSteps = api.HasInnerSteps ? api.InnerSteps : d.InnerSteps,
            InnerLr = api.HasInnerLr ? api.InnerLr : d.InnerLr,
            OuterLr = api.HasOuterLr ? api.OuterLr : d.OuterLr,
            OuterOptimizer = api.HasOuterOptimizer ? api.OuterOptimizer : d.OuterOptimizer,
            LrSchedule = api.HasLrSchedule ? api.LrSchedule : d.LrSchedule,
            MinOuterLr = api.HasMinOuterLr ? api.MinOuterLr : d.MinOuterLr,
            WarmupSteps = api.HasWarmupSteps ? api.WarmupSteps : d.WarmupSteps,
            ClipGradNorm = api.HasClipGradNorm ? api.ClipGradNorm : d.ClipGradNorm,
            WeightDecay = api.HasWeightDecay ? api.WeightDecay : d.WeightDecay,
            MetaSteps = api.HasMetaSteps ? api.MetaSteps : d.MetaSteps,
            EvalTasks = api.HasEvalTasks ? api.EvalTasks : d.EvalTasks,
            EvalInnerSteps = api.EvalInnerSteps.Count > 0 ? [.. api.EvalInnerSteps] : d.EvalInnerSteps,
            EvalQuery = api.HasEvalQuery ? api.EvalQuery : d.EvalQuery,
            Workers = api.HasWorkers ? api.Workers : d.Workers,
            Shards = api.HasShards ? api.Shards : 0,
            Device = api.HasDevice ? api.Device : d.Device,
            Seed = api.HasSeed ? api.Seed : d.Seed,
            LogEvery = api.HasLogEvery ? api.LogEvery : d.LogEvery,
            ShardTimeoutSeconds = api.HasShardTimeout ? api.ShardTimeout : d.ShardTimeoutSeconds,
            CheckpointEvery = api.HasCheckpointEvery ? api.CheckpointEvery : d.CheckpointEvery,
            TrLambda = api.HasTrLambda ? api.TrLambda : d.TrLambda,
            TrHeads = api.HasTrHeads ? api.TrHeads : d.TrHeads,
            TrTau = api.HasTrTau ? api.TrTau : d.TrTau,
            TrMetaData = api.HasTrMetaData ? api.TrMetaData : d.TrMetaData,
            TrSampler = api.HasTrSampler ? api.TrSampler : d.TrSampler,
            GradDtype = api.HasGradDtype ? api.GradDtype : d.GradDtype,
            Kernels = api.HasKernels ? api.Kernels : d.Kernels,
            ReduceGroup = api.HasReduceGroup ? api.ReduceGroup : d.ReduceGroup,
            ReduceTree = api.HasReduceTree ? api.ReduceTree : d.ReduceTree,
            ValEvery = api.HasValEvery ? api.ValEvery : d.ValEvery,
            ValTasks = api.HasValTasks ? api.ValTasks : d.ValTasks,
            ValInnerSteps = api.HasValInnerSteps ? api.ValInnerSteps : d.ValInnerSteps,
            ValFraction = api.HasValFraction ? api.ValFraction : d.ValFraction,
            ValClasses = api.HasValClasses ? api.ValClasses : null,
            EarlyStop = api.HasEarlyStop ? api.EarlyStop : d.EarlyStop,
            Tensorboard = api.HasTensorboard ? api.Tensorboard : d.Tensorboard,
            ImageSize = api.HasImageSize ? api.ImageSize : d.ImageSize,
            Channels = api.HasChannels ? api.Channels : d.Channels,
            Invert = api.HasInvert ? api.Invert : d.Invert,
            TaskColumn = api.HasTaskColumn ? api.TaskColumn : null,
            Separator = api.HasSeparator ? api.Separator : d.Separator,
            Na = api.HasNa ? api.Na : d.Na,
            MultiStepLoss = api.HasMultiStepLoss ? api.MultiStepLoss : d.MultiStepLoss,
            LearnedInnerLr = api.HasLearnedInnerLr ? api.LearnedInnerLr : d.LearnedInnerLr,
        };
        return CompleteDefaults(run);
    }

    /// <summary>
    /// Fills the defaults that depend on other fields, where they are unset (0, empty, or NaN for the
    /// outer rate, so that an explicit 0 is still refused): ways (5 for
    /// images, 1 otherwise), shards (one per worker, at most one per task), the outer optimiser (sgd
    /// for reptile, whose paper's outer step θ ← θ + ε(θ̃ − θ) is plain SGD on θ − θ̃; adam
    /// otherwise) and the outer learning rate (1 for reptile with sgd: ε = 1 moves θ to the mean
    /// adapted weights, the paper's few-shot setting; 0.001 otherwise).
    /// </summary>
    public static RunDefinition CompleteDefaults(RunDefinition run)
    {
        string optimizer = run.OuterOptimizer.Length > 0 ? run.OuterOptimizer : run.Algorithm == "reptile" ? "sgd" : "adam";
        return run with
        {
            Ways = run.Ways != 0 ? run.Ways : run.Task == "images" ? 5 : 1,
            Shards = run.Shards != 0 ? run.Shards : Math.Max(1, Math.Min(run.Workers, run.MetaBatch)),
            OuterOptimizer = optimizer,
            OuterLr = !double.IsNaN(run.OuterLr) ? run.OuterLr : run.Algorithm == "reptile" && optimizer == "sgd" ? 1.0 : 0.001,
        };
    }

    /// <summary>The API's message for <paramref name="run"/>, every field set (those that may be null when they are not).</summary>
    public static Api.RunDefinition ToApi(RunDefinition run)
    {
        var api = new Api.RunDefinition
        {
            Task = run.Task, Algorithm = run.Algorithm, Rotations = run.Rotations, Ways = run.Ways, Shots = run.Shots, Query = run.Query,
            MetaBatch = run.MetaBatch, InnerSteps = run.InnerSteps, InnerLr = run.InnerLr, OuterLr = run.OuterLr, MetaSteps = run.MetaSteps,
            EvalTasks = run.EvalTasks, EvalQuery = run.EvalQuery, Workers = run.Workers, Shards = run.Shards, Device = run.Device, Seed = run.Seed,
            LogEvery = run.LogEvery, ShardTimeout = run.ShardTimeoutSeconds, CheckpointEvery = run.CheckpointEvery,
            TrLambda = run.TrLambda, TrHeads = run.TrHeads, TrTau = run.TrTau, TrMetaData = run.TrMetaData, TrSampler = run.TrSampler,
            GradDtype = run.GradDtype, Kernels = run.Kernels, ReduceGroup = run.ReduceGroup, ReduceTree = run.ReduceTree,
            ValEvery = run.ValEvery, ValTasks = run.ValTasks, ValFraction = run.ValFraction, EarlyStop = run.EarlyStop, Tensorboard = run.Tensorboard,
            OuterOptimizer = run.OuterOptimizer, LrSchedule = run.LrSchedule, MinOuterLr = run.MinOuterLr, WarmupSteps = run.WarmupSteps,
            ClipGradNorm = run.ClipGradNorm, WeightDecay = run.WeightDecay,
            ImageSize = run.ImageSize, Channels = run.Channels, Invert = run.Invert, Separator = run.Separator, Na = run.Na,
            MultiStepLoss = run.MultiStepLoss, LearnedInnerLr = run.LearnedInnerLr,
        };
        if (run.TaskColumn is not null) api.TaskColumn = run.TaskColumn;
        api.Data.AddRange(run.Data);
        api.EvalData.AddRange(run.EvalData);
        api.EvalGroups.AddRange(run.EvalGroups);
        api.EvalInnerSteps.AddRange(run.EvalInnerSteps);
        if (run.EvalClasses is not null) api.EvalClasses = run.EvalClasses;
        if (run.Target is not null) api.Target = run.Target;
        if (run.ValInnerSteps is { } valInnerSteps) api.ValInnerSteps = valInnerSteps;
        if (run.ValClasses is not null) api.ValClasses = run.ValClasses;
        return api;
    }
}
