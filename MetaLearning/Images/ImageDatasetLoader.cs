using System.Security.Cryptography;

namespace MetaCluster.Learning.Images;

/// <summary>
/// Reads one or more sources (folders or zips) into an <see cref="ImageDataset"/>. Classes are
/// identified by (group, class) names across sources; a file whose bytes already appear in the
/// same class is counted once (the two Omniglot background subsets share Greek and Latin), so a
/// union never puts one drawing in both the support and the query set.
/// </summary>
internal static class ImageDatasetLoader
{
    private sealed record Candidate(string FileName, int Source, string DisplayPath, byte[] Bytes);

    /// <summary>Reads, de-duplicates and decodes every image of the sources.</summary>
    public static ImageDataset Load(IReadOnlyList<string> sources, ImageFormat format)
    {
        format.Validate();
        if (sources.Count == 0) throw new ArgumentException("no image sources given");

        var byClass = new Dictionary<(string Group, string Class), List<Candidate>>();
        for (int s = 0; s < sources.Count; s++)
        {
            var entries = ImageSourceReader.Read(sources[s]);
            foreach (var image in ClassFolderLayout.Resolve(entries, sources[s]))
            {
                var key = (image.Group, image.Class);
                if (!byClass.TryGetValue(key, out var list)) byClass[key] = list = [];
                list.Add(new Candidate(image.File.Name, s, image.File.DisplayPath, image.File.Bytes!));
            }
        }
        if (byClass.Count == 0)
            throw new InvalidDataException($"no images found in {string.Join(", ", sources)} (expected <group>/<class>/<image> folders)");

        // A fixed order (classes by name, images by file name then source) makes class and image
        // indices, and so every sampled task, the same on every worker.
        var keys = byClass.Keys.OrderBy(k => k.Group, StringComparer.Ordinal).ThenBy(k => k.Class, StringComparer.Ordinal).ToArray();
        int duplicates = 0;
        var unique = new List<Candidate>[keys.Length];
        for (int c = 0; c < keys.Length; c++)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            unique[c] = [];
            foreach (var candidate in byClass[keys[c]].OrderBy(x => x.FileName, StringComparer.Ordinal).ThenBy(x => x.Source).ThenBy(x => x.DisplayPath, StringComparer.Ordinal))
            {
                if (seen.Add(Convert.ToHexString(SHA256.HashData(candidate.Bytes)))) unique[c].Add(candidate);
                else duplicates++;
            }
        }

        var pixels = Decode(unique, format);
        var classes = keys.Select((k, c) => new ImageClass(k.Group, k.Class, format, pixels[c], unique[c].Select(x => x.DisplayPath).ToArray())).ToArray();
        return new ImageDataset(format, classes, duplicates);
    }

    private static byte[][] Decode(List<Candidate>[] classes, ImageFormat format)
    {
        var items = classes.SelectMany(list => list.Select(c => new ParallelImageDecoder.Item(c.Bytes, c.DisplayPath))).ToArray();
        var images = ParallelImageDecoder.DecodeAll(items, format);
        var pixels = new byte[classes.Length][];
        int next = 0;
        for (int c = 0; c < classes.Length; c++)
        {
            pixels[c] = new byte[classes[c].Count * format.PixelsPerImage];
            for (int i = 0; i < classes[c].Count; i++)
                images[next++].CopyTo(pixels[c], i * format.PixelsPerImage);
        }
        return pixels;
    }
}
