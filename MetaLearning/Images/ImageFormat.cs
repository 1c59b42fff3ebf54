namespace MetaCluster.Learning.Images;

/// <summary>
/// How decoded images are stored and fed to a model: every image is resized to
/// <see cref="Height"/>×<see cref="Width"/>, reduced to <see cref="Channels"/> (1 = luminance,
/// 3 = RGB), scaled to [0, 1] and optionally inverted. Omniglot is 28×28 grayscale, inverted, so
/// strokes are 1.0 and the background 0.0 (as in the MAML and ProtoNet set-ups).
/// </summary>
public sealed record ImageFormat(int Width = 28, int Height = 28, int Channels = 1, bool Invert = true)
{
    /// <summary>The Omniglot set-up: 28×28, grayscale, inverted.</summary>
    public static ImageFormat Omniglot { get; } = new();

    /// <summary>Scalars per image: channels × height × width.</summary>
    public int PixelsPerImage => Channels * Height * Width;

    /// <summary>Throws when the format cannot be produced.</summary>
    public void Validate()
    {
        if (Width < 1 || Height < 1) throw new ArgumentException($"image size {Width}x{Height} must be positive");
        if (Channels is not (1 or 3)) throw new ArgumentException($"images have 1 (grayscale) or 3 (RGB) channels, not {Channels}");
    }
}
