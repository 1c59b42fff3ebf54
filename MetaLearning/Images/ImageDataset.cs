namespace MetaCluster.Learning.Images;

/// <summary>
/// Decoded image classes held in memory (one byte array per class), in a fixed order: by group,
/// then class name. Subsets (splits by group or by class list) share the decoded images.
/// </summary>
public sealed class ImageDataset
{
    private readonly Dictionary<string, ImageClass> byKey;

    /// <summary>Wraps decoded classes; keys ("group/class") must be unique.</summary>
    public ImageDataset(ImageFormat format, IReadOnlyList<ImageClass> classes, int duplicatesSkipped = 0)
    {
        Format = format;
        Classes = classes;
        DuplicatesSkipped = duplicatesSkipped;
        byKey = new Dictionary<string, ImageClass>(StringComparer.Ordinal);
        foreach (var c in classes)
        {
            if (c.Format != format) throw new ArgumentException($"class '{c.Key}' is stored as {c.Format}, the data set as {format}");
            if (!byKey.TryAdd(c.Key, c)) throw new ArgumentException($"class '{c.Key}' appears twice");
        }
    }

    /// <summary>Reads folders and/or zips in the <c>ROOT/&lt;group&gt;/&lt;class&gt;/&lt;image&gt;</c> layout (Omniglot format by default).</summary>
    public static ImageDataset Load(IReadOnlyList<string> sources, ImageFormat? format = null) =>
        ImageDatasetLoader.Load(sources, format ?? ImageFormat.Omniglot);

    /// <summary>How images are stored.</summary>
    public ImageFormat Format { get; }

    /// <summary>The classes, ordered by group then name.</summary>
    public IReadOnlyList<ImageClass> Classes { get; }

    /// <summary>Images dropped on loading because the same bytes were already in the class.</summary>
    public int DuplicatesSkipped { get; }

    /// <summary>Number of images over all classes.</summary>
    public int ImageCount => Classes.Sum(c => c.Count);

    /// <summary>The distinct groups, ordered.</summary>
    public IReadOnlyList<string> Groups => Classes.Select(c => c.Group).Distinct().ToArray();

    /// <summary>Bytes of decoded pixels held.</summary>
    public long ByteCount => Classes.Sum(c => c.ByteCount);

    /// <summary>The class with key "group/class", or null.</summary>
    public ImageClass? Find(string key) => byKey.GetValueOrDefault(key);

    /// <summary>The classes of the given groups; an unknown group is an error naming it.</summary>
    public ImageDataset WithGroups(IEnumerable<string> groups)
    {
        var wanted = groups.ToHashSet(StringComparer.Ordinal);
        var known = Groups.ToHashSet(StringComparer.Ordinal);
        var unknown = wanted.Where(g => !known.Contains(g)).Order(StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"unknown group '{unknown[0]}' (the data set has: {string.Join(", ", Groups)})");
        return Subset(Classes.Where(c => wanted.Contains(c.Group)));
    }

    /// <summary>The classes with the given keys ("group/class"); an unknown key is an error naming it.</summary>
    public ImageDataset WithClasses(IEnumerable<string> keys)
    {
        var wanted = keys.ToHashSet(StringComparer.Ordinal);
        var unknown = wanted.FirstOrDefault(k => !byKey.ContainsKey(k));
        if (unknown is not null) throw new ArgumentException($"unknown class '{unknown}' (expected <group>/<class> of the data set)");
        return Subset(Classes.Where(c => wanted.Contains(c.Key)));
    }

    /// <summary>The classes that are not in <paramref name="other"/>.</summary>
    public ImageDataset Except(ImageDataset other) =>
        Subset(Classes.Where(c => other.Find(c.Key) is null));

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Groups.Count} groups, {Classes.Count} classes, {ImageCount} images of {Format.Channels}x{Format.Height}x{Format.Width}";

    private ImageDataset Subset(IEnumerable<ImageClass> classes) => new(Format, classes.ToArray(), DuplicatesSkipped);
}
