namespace MetaCluster.Learning.Images;

/// <summary>
/// Everything needed to build the "images" task family from files: the sources (folders or
/// zips), how to store the images, the split, and the episode/model options.
/// </summary>
/// <param name="Sources">Folders or .zip files in the <c>ROOT/&lt;group&gt;/&lt;class&gt;/&lt;image&gt;</c> layout; their union is used.</param>
public sealed record ImageTaskSettings(IReadOnlyList<string> Sources)
{
    /// <summary>Stored size, channels and polarity; Omniglot's (28×28, grayscale, inverted) by default.</summary>
    public ImageFormat Format { get; init; } = ImageFormat.Omniglot;

    /// <summary>The meta-training classes; null for every class not in <see cref="Evaluation"/>.</summary>
    public ImageSelection? Train { get; init; }

    /// <summary>The held-out evaluation classes; null for every class not in <see cref="Train"/>.</summary>
    public ImageSelection? Evaluation { get; init; }

    /// <summary>Ways of the model, rotation augmentation, width of the CNN.</summary>
    public ImageTaskOptions Options { get; init; } = new();
}
