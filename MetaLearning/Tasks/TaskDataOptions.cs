using MetaCluster.Learning.Images;
using MetaCluster.Learning.Tasks.Tabular;

namespace MetaCluster.Learning.Tasks;

/// <summary>
/// What a data-reading task family needs (the <c>--data</c>, <c>--eval-data</c>, <c>--target</c>,
/// <c>--rotations</c>, <c>--ways</c>, image format and split options). Data-free families ignore it.
/// </summary>
public sealed record TaskDataOptions
{
    /// <summary>Meta-training sources: image folders or zips, or a directory of per-task CSV files.</summary>
    public IReadOnlyList<string> Data { get; init; } = [];

    /// <summary>Evaluation sources; their classes minus those in <see cref="Data"/> are the held-out classes.</summary>
    public IReadOnlyList<string> EvalData { get; init; } = [];

    /// <summary>Held-out groups taken from <see cref="Data"/> (when there is no <see cref="EvalData"/>).</summary>
    public IReadOnlyList<string> EvalGroups { get; init; } = [];

    /// <summary>A file listing held-out classes (<c>group/class</c> per line) taken from <see cref="Data"/>.</summary>
    public string? EvalClassList { get; init; }

    /// <summary>Tabular: the target column (default: the last).</summary>
    public string? Target { get; init; }

    /// <summary>Images: add 90/180/270° rotations as new classes.</summary>
    public bool Rotations { get; init; }

    /// <summary>Tabular: the column naming each row's task (one table, many tasks); null: one file per task.</summary>
    public string? TaskColumn { get; init; }

    /// <summary>Tabular: separator and missing-value policy (<c>--separator</c>, <c>--na</c>); comma and error by default.</summary>
    public CsvFormat TableFormat { get; init; } = CsvFormat.Default;

    /// <summary>
    /// Images: the stored size, channels and polarity (<c>--image-size</c>, <c>--channels</c>,
    /// <c>--invert</c>); Omniglot's 28×28 grayscale inverted by default.
    /// </summary>
    public ImageFormat ImageFormat { get; init; } = ImageFormat.Omniglot;

    /// <summary>Classification: ways of the episodes (and outputs of image models).</summary>
    public int Ways { get; init; } = 5;

    /// <summary>
    /// The share of the meta-training classes (images) or files (tabular) held out as the validation
    /// split (<see cref="ValidationSplit"/>); 0: no validation split, everything trains.
    /// </summary>
    public double ValidationFraction { get; init; }

    /// <summary>Images: a file listing the validation classes (<c>group/class</c> per line), taken out of the meta-training classes instead of <see cref="ValidationFraction"/>.</summary>
    public string? ValidationClassList { get; init; }

    /// <summary>Whether the training data gives up a validation split.</summary>
    public bool HasValidationSplit => ValidationFraction > 0 || ValidationClassList is not null;
}
