using System.Globalization;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Images;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Relations;
using MetaCluster.Learning.Tasks;
using MetaCluster.Learning.Tasks.Tabular;

namespace MetaCluster.Coordinator.Checkpoints;

/// <summary>One named tensor of a run's flat parameter vector, PyTorch-style: "layer0.weight" [out, in].</summary>
public sealed record TensorEntry(string Name, long[] Shape)
{
    /// <summary>Number of elements.</summary>
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Prefix of TRLearner's similarity layer, which follows the algorithm's parameters in θ.</summary>
    public const string TrProjections = "tr.projections";

    /// <summary>
    /// The tensors of θ in order: the algorithm's layout of <paramref name="model"/> (the model's
    /// entries; Meta-SGD adds "lr." + each), then TRLearner's W [H, D_proj, D] when it is on. A layout
    /// that does not cover <paramref name="elements"/> exactly becomes one flat "theta" tensor rather
    /// than a wrong naming.
    /// </summary>
    public static IReadOnlyList<TensorEntry> ForRun(IMetaAlgorithm algorithm, IFunctionalModel model, TrLearnerSettings tr, long elements)
    {
        var entries = algorithm.MetaLayout(model).Entries.Select(e => new TensorEntry(e.Name, e.Shape)).ToList();
        if (tr.Enabled) entries.Add(new TensorEntry(TrProjections, [tr.Heads, tr.ProjectionSize, model.FeatureSize]));
        return Flat(entries, elements);
    }

    /// <summary><paramref name="entries"/> if they cover exactly <paramref name="elements"/>, else one flat "theta" tensor.</summary>
    public static IReadOnlyList<TensorEntry> Flat(IReadOnlyList<TensorEntry> entries, long elements) =>
        entries.Sum(e => e.Count) == elements ? entries : [new TensorEntry("theta", [elements])];
}

/// <summary>
/// What a loader needs to rebuild a run's model without the run's data: the kind of network and
/// its sizes, and how its inputs were prepared. Kept in every checkpoint's header and written to
/// model.safetensors' <c>__metadata__</c> (as strings, <see cref="ToMetadata"/>).
/// </summary>
public sealed record ModelArchitecture(string Kind)
{
    /// <summary>MLP: layer widths, input first ("mlp").</summary>
    public int[]? LayerSizes { get; init; }

    /// <summary>CNN-4: outputs of the head ("cnn4").</summary>
    public int? Ways { get; init; }

    /// <summary>CNN-4: filters of every block.</summary>
    public int? HiddenChannels { get; init; }

    /// <summary>CNN-4: image channels, height and width the model takes.</summary>
    public int? InputChannels { get; init; }

    /// <inheritdoc cref="InputChannels"/>
    public int? InputHeight { get; init; }

    /// <inheritdoc cref="InputChannels"/>
    public int? InputWidth { get; init; }

    /// <summary>Images: pixels are scaled to [0, 1] and, when true, inverted (Omniglot: strokes 1, background 0).</summary>
    public bool? InvertedImages { get; init; }

    /// <summary>Tabular tasks: each feature is standardised as (x − mean) / std with these training statistics.</summary>
    public double[]? FeatureMean { get; init; }

    /// <inheritdoc cref="FeatureMean"/>
    public double[]? FeatureStd { get; init; }

    /// <summary>"regression" (MSE on real targets) or "classification" (cross-entropy on class indices): how the model adapts and what it outputs.</summary>
    public string? TaskKind { get; init; }

    /// <summary>Tabular classification: the target value of each class, in the order of the model's outputs.</summary>
    public double[]? ClassValues { get; init; }

    /// <summary>Describes <paramref name="model"/>, with the input preparation of <paramref name="family"/> when given.</summary>
    public static ModelArchitecture Describe(IFunctionalModel model, ITaskFamily? family = null)
    {
        var architecture = model switch
        {
            Mlp mlp => new ModelArchitecture("mlp") { LayerSizes = [.. mlp.Sizes] },
            Cnn4 cnn => new ModelArchitecture("cnn4")
            {
                Ways = cnn.Ways, HiddenChannels = cnn.HiddenChannels,
                InputChannels = (int)cnn.InputShape[0], InputHeight = (int)cnn.InputShape[1], InputWidth = (int)cnn.InputShape[2],
            },
            _ => new ModelArchitecture(model.GetType().Name.ToLowerInvariant()),
        };
        if (family is not null) architecture = architecture with { TaskKind = KindName(family.Kind) };
        return family switch
        {
            ImageTasks images => architecture with { InvertedImages = images.Format.Invert },
            TabularTasks tabular => architecture with
            {
                FeatureMean = tabular.Statistics.Mean, FeatureStd = tabular.Statistics.StandardDeviation,
                ClassValues = tabular.Kind == MetaCluster.Learning.Tasks.TaskKind.Classification ? [.. tabular.ClassValues] : null,
            },
            _ => architecture,
        };
    }

    /// <summary>The architecture as safetensors metadata: string values, lists comma-separated, numbers invariant and round-trippable.</summary>
    public IEnumerable<KeyValuePair<string, string>> ToMetadata()
    {
        var c = CultureInfo.InvariantCulture;
        static string List<T>(IEnumerable<T> values) where T : IFormattable =>
            string.Join(",", values.Select(v => v.ToString(null, CultureInfo.InvariantCulture)));
        yield return new("model", Kind);
        if (LayerSizes is not null) yield return new("layer_sizes", List(LayerSizes));
        if (Ways is { } ways) yield return new("ways", ways.ToString(c));
        if (HiddenChannels is { } hidden) yield return new("hidden_channels", hidden.ToString(c));
        if (InputChannels is { } channels) yield return new("input_channels", channels.ToString(c));
        if (InputHeight is { } height) yield return new("input_height", height.ToString(c));
        if (InputWidth is { } width) yield return new("input_width", width.ToString(c));
        if (InvertedImages is { } inverted) yield return new("inverted_images", inverted ? "true" : "false");
        if (FeatureMean is not null) yield return new("feature_mean", List(FeatureMean));
        if (FeatureStd is not null) yield return new("feature_std", List(FeatureStd));
        if (TaskKind is not null) yield return new("task_kind", TaskKind);
        if (ClassValues is not null) yield return new("class_values", List(ClassValues));
    }

    /// <summary>The metadata's name of a task kind: "regression" or "classification".</summary>
    public static string KindName(MetaCluster.Learning.Tasks.TaskKind kind) => kind == MetaCluster.Learning.Tasks.TaskKind.Classification ? "classification" : "regression";
}
