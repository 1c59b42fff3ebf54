using Api = MetaCluster.Protos.Api.V1;

namespace MetaCluster.Client;

/// <summary><see cref="RunOptions"/> and the API's <c>RunDefinition</c>, both ways: a null property is an unset field.</summary>
internal static class RunDefinitionMapper
{
    public static Api.RunDefinition ToApi(RunOptions o)
    {
        var d = new Api.RunDefinition();
        if (o.Task is not null) d.Task = o.Task;
        if (o.Algorithm is not null) d.Algorithm = o.Algorithm;
        d.Data.AddRange(o.Data);
        d.EvalData.AddRange(o.EvalData);
        d.EvalGroups.AddRange(o.EvalGroups);
        if (o.EvalClasses is not null) d.EvalClasses = o.EvalClasses;
        if (o.Target is not null) d.Target = o.Target;
        if (o.Rotations is { } rotations) d.Rotations = rotations;
        if (o.Ways is { } ways) d.Ways = ways;
        if (o.Shots is { } shots) d.Shots = shots;
        if (o.Query is { } query) d.Query = query;
        if (o.MetaBatch is { } metaBatch) d.MetaBatch = metaBatch;
        if (o.InnerSteps is { } innerSteps) d.InnerSteps = innerSteps;
        if (o.InnerLr is { } innerLr) d.InnerLr = innerLr;
        if (o.OuterLr is { } outerLr) d.OuterLr = outerLr;
        if (o.OuterOptimizer is not null) d.OuterOptimizer = o.OuterOptimizer;
        if (o.LrSchedule is not null) d.LrSchedule = o.LrSchedule;
        if (o.MinOuterLr is { } minOuterLr) d.MinOuterLr = minOuterLr;
        if (o.WarmupSteps is { } warmupSteps) d.WarmupSteps = warmupSteps;
        if (o.ClipGradNorm is { } clipGradNorm) d.ClipGradNorm = clipGradNorm;
        if (o.WeightDecay is { } weightDecay) d.WeightDecay = weightDecay;
        if (o.MetaSteps is { } metaSteps) d.MetaSteps = metaSteps;
        if (o.EvalTasks is { } evalTasks) d.EvalTasks = evalTasks;
        d.EvalInnerSteps.AddRange(o.EvalInnerSteps);
        if (o.EvalQuery is { } evalQuery) d.EvalQuery = evalQuery;
        if (o.Workers is { } workers) d.Workers = workers;
        if (o.Shards is { } shards) d.Shards = shards;
        if (o.Device is not null) d.Device = o.Device;
        if (o.Seed is { } seed) d.Seed = seed;
        if (o.LogEvery is { } logEvery) d.LogEvery = logEvery;
        if (o.ShardTimeout is { } shardTimeout) d.ShardTimeout = shardTimeout;
        if (o.CheckpointEvery is { } checkpointEvery) d.CheckpointEvery = checkpointEvery;
        if (o.TrLambda is { } trLambda) d.TrLambda = trLambda;
        if (o.TrHeads is { } trHeads) d.TrHeads = trHeads;
        if (o.TrTau is { } trTau) d.TrTau = trTau;
        if (o.TrMetaData is { } trMetaData) d.TrMetaData = trMetaData;
        if (o.TrSampler is not null) d.TrSampler = o.TrSampler;
        if (o.GradDtype is not null) d.GradDtype = o.GradDtype;
        if (o.Kernels is not null) d.Kernels = o.Kernels;
        if (o.ReduceGroup is { } reduceGroup) d.ReduceGroup = reduceGroup;
        if (o.ReduceTree is { } reduceTree) d.ReduceTree = reduceTree;
        if (o.ValEvery is { } valEvery) d.ValEvery = valEvery;
        if (o.ValTasks is { } valTasks) d.ValTasks = valTasks;
        if (o.ValInnerSteps is { } valInnerSteps) d.ValInnerSteps = valInnerSteps;
        if (o.ValFraction is { } valFraction) d.ValFraction = valFraction;
        if (o.ValClasses is not null) d.ValClasses = o.ValClasses;
        if (o.EarlyStop is { } earlyStop) d.EarlyStop = earlyStop;
        if (o.Tensorboard is { } tensorboard) d.Tensorboard = tensorboard;
        if (o.ImageSize is { } imageSize) d.ImageSize = imageSize;
        if (o.Channels is { } channels) d.Channels = channels;
        if (o.Invert is { } invert) d.Invert = invert;
        if (o.TaskColumn is not null) d.TaskColumn = o.TaskColumn;
        if (o.Separator is not null) d.Separator = o.Separator;
        if (o.Na is not null) d.Na = o.Na;
        if (o.MultiStepLoss is { } multiStepLoss) d.MultiStepLoss = multiStepLoss;
        if (o.LearnedInnerLr is { } learnedInnerLr) d.LearnedInnerLr = learnedInnerLr;
        return d;
    }

    public static RunOptions FromApi(Api.RunDefinition d) => new()
    {
        Task = d.HasTask ? d.Task : null,
        Algorithm = d.HasAlgorithm ? d.Algorithm : null,
        Data = [.. d.Data],
        EvalData = [.. d.EvalData],
        EvalGroups = [.. d.EvalGroups],
        EvalClasses = d.HasEvalClasses ? d.EvalClasses : null,
        Target = d.HasTarget ? d.Target : null,
        Rotations = d.HasRotations ? d.Rotations : null,
        Ways = d.HasWays ? d.Ways : null,
        Shots = d.HasShots ? d.Shots : null,
        Query = d.HasQuery ? d.Query : null,
        MetaBatch = d.HasMetaBatch ? d.MetaBatch : null,
        InnerSteps = d.HasInnerSteps ? d.InnerSteps : null,
        InnerLr = d.HasInnerLr ? d.InnerLr : null,
        OuterLr = d.HasOuterLr ? d.OuterLr : null,
        OuterOptimizer = d.HasOuterOptimizer ? d.OuterOptimizer : null,
        LrSchedule = d.HasLrSchedule ? d.LrSchedule : null,
        MinOuterLr = d.HasMinOuterLr ? d.MinOuterLr : null,
        WarmupSteps = d.HasWarmupSteps ? d.WarmupSteps : null,
        ClipGradNorm = d.HasClipGradNorm ? d.ClipGradNorm : null,
        WeightDecay = d.HasWeightDecay ? d.WeightDecay : null,
        MetaSteps = d.HasMetaSteps ? d.MetaSteps : null,
        EvalTasks = d.HasEvalTasks ? d.EvalTasks : null,
        EvalInnerSteps = [.. d.EvalInnerSteps],
        EvalQuery = d.HasEvalQuery ? d.EvalQuery : null,
        Workers = d.HasWorkers ? d.Workers : null,
        Shards = d.HasShards ? d.Shards : null,
        Device = d.HasDevice ? d.Device : null,
        Seed = d.HasSeed ? d.Seed : null,
        LogEvery = d.HasLogEvery ? d.LogEvery : null,
        ShardTimeout = d.HasShardTimeout ? d.ShardTimeout : null,
        CheckpointEvery = d.HasCheckpointEvery ? d.CheckpointEvery : null,
        TrLambda = d.HasTrLambda ? d.TrLambda : null,
        TrHeads = d.HasTrHeads ? d.TrHeads : null,
        TrTau = d.HasTrTau ? d.TrTau : null,
        TrMetaData = d.HasTrMetaData ? d.TrMetaData : null,
        TrSampler = d.HasTrSampler ? d.TrSampler : null,
        GradDtype = d.HasGradDtype ? d.GradDtype : null,
        Kernels = d.HasKernels ? d.Kernels : null,
        ReduceGroup = d.HasReduceGroup ? d.ReduceGroup : null,
        ReduceTree = d.HasReduceTree ? d.ReduceTree : null,
        ValEvery = d.HasValEvery ? d.ValEvery : null,
        ValTasks = d.HasValTasks ? d.ValTasks : null,
        ValInnerSteps = d.HasValInnerSteps ? d.ValInnerSteps : null,
        ValFraction = d.HasValFraction ? d.ValFraction : null,
        ValClasses = d.HasValClasses ? d.ValClasses : null,
        EarlyStop = d.HasEarlyStop ? d.EarlyStop : null,
        Tensorboard = d.HasTensorboard ? d.Tensorboard : null,
        ImageSize = d.HasImageSize ? d.ImageSize : null,
        Channels = d.HasChannels ? d.Channels : null,
        Invert = d.HasInvert ? d.Invert : null,
        TaskColumn = d.HasTaskColumn ? d.TaskColumn : null,
        Separator = d.HasSeparator ? d.Separator : null,
        Na = d.HasNa ? d.Na : null,
        MultiStepLoss = d.HasMultiStepLoss ? d.MultiStepLoss : null,
        LearnedInnerLr = d.HasLearnedInnerLr ? d.LearnedInnerLr : null,
    };
}
