using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Images;

/// <summary>One query image's predicted class, with its true class when the episode is labelled.</summary>
public sealed record QueryPrediction(string File, string Predicted, string? Actual)
{
    /// <summary>Whether the prediction is right (false when the true class is unknown).</summary>
    public bool Correct => Actual == Predicted;
}

/// <summary>
/// An episode read from files rather than sampled (fixed evaluation sets such as Lake's 20
/// one-shot runs, or a user's own task): a one-task <see cref="TaskBatch"/> whose labels are the
/// indices of the support set's class names in ordinal order, and the file of every query image
/// so predictions can be reported per image.
/// </summary>
public sealed class FixedEpisode(string name, IReadOnlyList<string> classNames, TaskBatch batch,
    IReadOnlyList<string> supportFiles, IReadOnlyList<string> queryFiles, bool hasQueryLabels) : IDisposable
{
    /// <summary>The target stored for query images that have no class folder.</summary>
    public const long Unlabelled = -1;

    /// <summary>The episode's folder name.</summary>
    public string Name { get; } = name;

    /// <summary>The support classes; label i is ClassNames[i].</summary>
    public IReadOnlyList<string> ClassNames { get; } = classNames;

    /// <summary>Support [1, S, C, H, W] and query [1, Q, C, H, W] images with int64 labels; query labels are <see cref="Unlabelled"/> when unknown.</summary>
    public TaskBatch Batch { get; } = batch;

    /// <summary>Support files below <c>support/</c> ("class/file"), in batch order.</summary>
    public IReadOnlyList<string> SupportFiles { get; } = supportFiles;

    /// <summary>Query files below <c>query/</c> ("class/file", or "file" when unlabelled), in batch order.</summary>
    public IReadOnlyList<string> QueryFiles { get; } = queryFiles;

    /// <summary>Whether query images sit in class folders (so the episode can be scored).</summary>
    public bool HasQueryLabels { get; } = hasQueryLabels;

    /// <summary>
    /// Names the predicted class of every query image from a model's output [1, Q, outputs] or
    /// [Q, outputs]; outputs beyond the episode's classes (a model built for more ways) are ignored.
    /// </summary>
    public IReadOnlyList<QueryPrediction> Predict(Tensor output)
    {
        var logits = output.dim() == 3 ? output[0] : output;
        if (logits.dim() != 2 || logits.shape[0] != QueryFiles.Count || logits.shape[1] < ClassNames.Count)
            throw new ArgumentException($"episode '{Name}': expected outputs [{QueryFiles.Count}, ≥{ClassNames.Count}], got [{string.Join(", ", output.shape)}]");
        using var noGrad = no_grad();
        var predicted = logits.narrow(1, 0, ClassNames.Count).argmax(1).cpu().data<long>().ToArray();
        var actual = Batch.QueryY[0].cpu().data<long>().ToArray();
        return predicted.Select((p, i) => new QueryPrediction(QueryFiles[i], ClassNames[(int)p],
            actual[i] == Unlabelled ? null : ClassNames[(int)actual[i]])).ToArray();
    }

    /// <summary>Episodes of the same shape stacked into one batch [E, …] (for evaluating many at once).</summary>
    public static TaskBatch Stack(IReadOnlyList<FixedEpisode> episodes)
    {
        if (episodes.Count == 0) throw new ArgumentException("no episodes to stack");
        var first = episodes[0].Batch;
        foreach (var e in episodes)
            if (!e.Batch.SupportX.shape.SequenceEqual(first.SupportX.shape) || !e.Batch.QueryX.shape.SequenceEqual(first.QueryX.shape))
                throw new ArgumentException($"episode '{e.Name}' has a different shape from '{episodes[0].Name}': only episodes of one shape stack");
        return new TaskBatch(TaskKind.Classification,
            cat(episodes.Select(e => e.Batch.SupportX).ToArray(), 0), cat(episodes.Select(e => e.Batch.SupportY).ToArray(), 0),
            cat(episodes.Select(e => e.Batch.QueryX).ToArray(), 0), cat(episodes.Select(e => e.Batch.QueryY).ToArray(), 0));
    }

    /// <inheritdoc/>
    public void Dispose() => Batch.Dispose();
}
