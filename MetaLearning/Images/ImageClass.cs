namespace MetaCluster.Learning.Images;

/// <summary>
/// One class of a data set (an Omniglot character), identified by its group (alphabet) and
/// name, with all its images decoded into one compact byte array.
/// </summary>
public sealed class ImageClass
{
    private readonly byte[] pixels;

    /// <summary>Wraps decoded images: <paramref name="pixels"/> holds one image of <paramref name="format"/> per file, one after another.</summary>
    public ImageClass(string group, string name, ImageFormat format, byte[] pixels, IReadOnlyList<string> files)
    {
        if (files.Count == 0) throw new InvalidDataException($"class '{group}/{name}' has no images");
        if (pixels.Length != files.Count * format.PixelsPerImage)
            throw new ArgumentException($"class '{group}/{name}': {pixels.Length} bytes do not hold {files.Count} images of {format.PixelsPerImage} pixels");
        Group = group;
        Name = name;
        Format = format;
        Files = files;
        this.pixels = pixels;
    }

    /// <summary>The group (e.g. the alphabet); splits by group keep a group's classes together.</summary>
    public string Group { get; }

    /// <summary>The class name inside its group (e.g. character01).</summary>
    public string Name { get; }

    /// <summary>"group/name": unique in a data set, and the form class-list files use.</summary>
    public string Key => $"{Group}/{Name}";

    /// <summary>The stored size and channels.</summary>
    public ImageFormat Format { get; }

    /// <summary>Number of images.</summary>
    public int Count => Files.Count;

    /// <summary>Where each image came from (for messages and tests).</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Image <paramref name="index"/>: [channels, height, width] bytes, 0 = background after inversion.</summary>
    public ReadOnlySpan<byte> Image(int index) => pixels.AsSpan(index * Format.PixelsPerImage, Format.PixelsPerImage);

    /// <summary>Bytes held in memory.</summary>
    public long ByteCount => pixels.LongLength;

    /// <inheritdoc/>
    public override string ToString() => $"{Key} ({Count} images)";
}
