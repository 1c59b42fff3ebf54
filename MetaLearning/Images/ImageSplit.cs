namespace MetaCluster.Learning.Images;

/// <summary>
/// Divides a data set into meta-training and evaluation classes. With one selection given, the
/// other split is every remaining class; with both, they must not share a class; with neither,
/// both streams use every class (no held-out classes: only for quick trials).
/// </summary>
public static class ImageSplit
{
    /// <summary>The training and evaluation classes of <paramref name="all"/>.</summary>
    public static (ImageDataset Train, ImageDataset Evaluation) Apply(ImageDataset all, ImageSelection? train, ImageSelection? evaluation)
    {
        if (train is null && evaluation is null) return (all, all);
        var trainSet = train?.Apply(all);
        var evaluationSet = evaluation?.Apply(all);
        trainSet ??= all.Except(evaluationSet!);
        evaluationSet ??= all.Except(trainSet);

        var shared = trainSet.Classes.FirstOrDefault(c => evaluationSet.Find(c.Key) is not null);
        if (shared is not null)
            throw new ArgumentException($"class '{shared.Key}' is in both the meta-training split ({train}) and the evaluation split ({evaluation})");
        if (trainSet.Classes.Count == 0) throw new ArgumentException($"the meta-training split ({train?.ToString() ?? "the rest"}) has no classes");
        if (evaluationSet.Classes.Count == 0) throw new ArgumentException($"the evaluation split ({evaluation?.ToString() ?? "the rest"}) has no classes");
        return (trainSet, evaluationSet);
    }
}
