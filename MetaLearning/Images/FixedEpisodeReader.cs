using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Images;

/// <summary>
/// Reads fixed episodes from a folder or a zip: a set laid out as
/// <c>DIR/&lt;episode&gt;/support/&lt;class&gt;/&lt;image&gt;</c> and <c>DIR/&lt;episode&gt;/query/&lt;class&gt;/&lt;image&gt;</c>,
/// or a single episode <c>DIR/support/…</c>, <c>DIR/query/…</c> whose query images may also sit
/// directly in <c>query/</c> when their classes are unknown (adapt and predict).
/// </summary>
public static class FixedEpisodeReader
{
    private const string SupportFolder = "support";
    private const string QueryFolder = "query";

    private sealed record Part(string Role, string? Class, string RelativeFile, SourceEntry Entry);

    /// <summary>Every episode of a set, ordered by name.</summary>
    public static IReadOnlyList<FixedEpisode> ReadSet(string path, ImageFormat? format = null)
    {
        format ??= ImageFormat.Omniglot;
        format.Validate();
        var episodes = Split(ImageSourceReader.Read(path), path);
        if (episodes.Count == 0) throw new InvalidDataException($"{path}: no episodes (expected <episode>/support/<class>/<image> and <episode>/query/<class>/<image>)");
        if (episodes.ContainsKey(""))
            throw new InvalidDataException($"{path}: support/ and query/ sit at the top, so this is a single episode, not a set of episodes");
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var prefix in episodes.Keys)
        {
            var name = prefix.Split('/')[^1];
            if (!byName.TryAdd(name, prefix))
                throw new InvalidDataException($"{path}: two episodes are named '{name}' ('{byName[name]}' and '{prefix}')");
        }
        return byName.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => Build(p.Key, episodes[p.Value], format, allowUnlabelled: false)).ToArray();
    }

    /// <summary>A single episode; its query images may be unlabelled (directly in <c>query/</c>).</summary>
    public static FixedEpisode ReadSingle(string path, ImageFormat? format = null)
    {
        format ??= ImageFormat.Omniglot;
        format.Validate();
        var episodes = Split(ImageSourceReader.Read(path), path);
        if (episodes.Count == 0) throw new InvalidDataException($"{path}: no episode (expected support/<class>/<image> and query/…)");
        if (episodes.Count > 1)
            throw new InvalidDataException($"{path}: holds {episodes.Count} episodes ({string.Join(", ", episodes.Keys.Take(3))}, …), not one");
        var (prefix, parts) = episodes.Single();
        var name = prefix.Length == 0 ? Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(path)) : prefix.Split('/')[^1];
        return Build(name, parts, format, allowUnlabelled: true);
    }

    // Groups the images by episode: the path above the support/ or query/ folder.
    private static Dictionary<string, List<Part>> Split(IReadOnlyList<SourceEntry> entries, string path)
    {
        var foldersWithFiles = entries.Where(e => !e.IsFolder)
            .SelectMany(e => Enumerable.Range(1, e.Segments.Count - 1).Select(d => string.Join('/', e.Segments.Take(d))))
            .ToHashSet(StringComparer.Ordinal);
        var episodes = new Dictionary<string, List<Part>>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            int role = IndexOfRole(entry.Segments);
            if (role < 0)
            {
                if (!entry.IsFolder && ImageSourceReader.IsImageName(entry.Name))
                    throw new InvalidDataException($"{entry.DisplayPath}: an episode's images sit in its support/ or query/ folder");
                continue;
            }
            var rest = entry.Segments.Skip(role + 1).ToArray();
            if (entry.IsFolder)
            {
                // A class folder with nothing in it would otherwise vanish silently.
                if (rest.Length == 1 && !foldersWithFiles.Contains(string.Join('/', entry.Segments)))
                    throw new InvalidDataException($"{entry.DisplayPath}: class folder '{rest[0]}' has no images");
                continue;
            }
            var roleName = entry.Segments[role];
            if (!ImageSourceReader.IsImageName(entry.Name))
                throw new InvalidDataException($"{entry.DisplayPath}: not an image file (supported: {string.Join(", ", ImageSourceReader.ImageExtensions)})");
            Part part = rest.Length switch
            {
                2 => new Part(roleName, rest[0], $"{rest[0]}/{rest[1]}", entry),
                1 when roleName == QueryFolder => new Part(roleName, null, rest[0], entry),
                _ => throw new InvalidDataException($"{entry.DisplayPath}: expected {roleName}/<class>/<image>"),
            };
            var prefix = string.Join('/', entry.Segments.Take(role));
            if (!episodes.TryGetValue(prefix, out var parts)) episodes[prefix] = parts = [];
            parts.Add(part);
        }
        return episodes;
    }

    private static FixedEpisode Build(string name, List<Part> parts, ImageFormat format, bool allowUnlabelled)
    {
        var support = parts.Where(p => p.Role == SupportFolder).ToList();
        var query = parts.Where(p => p.Role == QueryFolder).ToList();
        if (support.Count == 0) throw new InvalidDataException($"episode '{name}' has no support images");
        if (query.Count == 0) throw new InvalidDataException($"episode '{name}' has no query images");

        var classes = support.Select(p => p.Class!).Distinct().Order(StringComparer.Ordinal).ToArray();
        var labels = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => (long)p.i, StringComparer.Ordinal);
        bool labelled = query[0].Class is not null;
        foreach (var p in query)
        {
            if ((p.Class is not null) != labelled)
                throw new InvalidDataException($"episode '{name}' mixes query images with and without class folders ({p.Entry.DisplayPath})");
            if (p.Class is not null && !labels.ContainsKey(p.Class))
                throw new InvalidDataException($"episode '{name}': query class '{p.Class}' is not in its support set ({p.Entry.DisplayPath})");
        }
        if (!labelled && !allowUnlabelled)
            throw new InvalidDataException($"episode '{name}': query images need class folders in an episode set, which is scored ({query[0].Entry.DisplayPath})");

        long Label(Part p) => p.Class is null ? FixedEpisode.Unlabelled : labels[p.Class];
        support = support.OrderBy(Label).ThenBy(p => p.RelativeFile, StringComparer.Ordinal).ToList();
        query = query.OrderBy(p => p.Class is null ? 0 : Label(p)).ThenBy(p => p.RelativeFile, StringComparer.Ordinal).ToList();

        var batch = new TaskBatch(TaskKind.Classification,
            Images(support, format), tensor(support.Select(Label).ToArray(), [1, support.Count]),
            Images(query, format), tensor(query.Select(Label).ToArray(), [1, query.Count]));
        return new FixedEpisode(name, classes, batch, support.Select(p => p.RelativeFile).ToArray(),
            query.Select(p => p.RelativeFile).ToArray(), labelled);
    }

    private static Tensor Images(List<Part> parts, ImageFormat format)
    {
        int pixels = format.PixelsPerImage;
        var images = ParallelImageDecoder.DecodeAll(parts.Select(p => new ParallelImageDecoder.Item(p.Entry.Bytes!, p.Entry.DisplayPath)).ToArray(), format);
        var values = new float[(long)parts.Count * pixels];
        for (int i = 0; i < images.Length; i++)
            ImageRotation.CopyRotated(images[i], format, 0, values.AsSpan(i * pixels, pixels));
        return tensor(values, [1, parts.Count, format.Channels, format.Height, format.Width]);
    }

    // The first support/ or query/ folder on the path; files below it belong to that part of an episode.
    private static int IndexOfRole(IReadOnlyList<string> segments)
    {
        for (int i = 0; i < segments.Count - 1; i++)
            if (segments[i] is SupportFolder or QueryFolder) return i;
        return segments.Count > 0 && segments[^1] is SupportFolder or QueryFolder ? segments.Count - 1 : -1;
    }
}
