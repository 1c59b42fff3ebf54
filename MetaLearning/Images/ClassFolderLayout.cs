namespace MetaCluster.Learning.Images;

/// <summary>
/// Finds the classes of one source in the layout <c>ROOT/&lt;group&gt;/&lt;class&gt;/&lt;image&gt;</c>,
/// whatever lies above the groups: a folder that directly holds images is a class and its parent
/// is the group. So <c>Greek/character01/x.png</c> and the Omniglot zips'
/// <c>images_background/Greek/character01/x.png</c> give the same class. Layouts that would be
/// read ambiguously, stray files inside class folders and empty classes are errors naming the path.
/// </summary>
internal static class ClassFolderLayout
{
    /// <summary>An image file and the class it belongs to.</summary>
    public sealed record ClassImage(string Group, string Class, SourceEntry File);

    /// <summary>Every image of the source with its (group, class).</summary>
    public static IReadOnlyList<ClassImage> Resolve(IReadOnlyList<SourceEntry> entries, string source)
    {
        var images = entries.Where(e => !e.IsFolder && ImageSourceReader.IsImageName(e.Name)).ToList();
        foreach (var image in images)
            if (image.Segments.Count < 3)
                throw new InvalidDataException($"{image.DisplayPath}: an image must sit in a <group>/<class> folder inside '{source}'");

        var classFolders = images.Select(i => Key(i.Parent)).ToHashSet(StringComparer.Ordinal);
        CheckNoClassInsideAClass(classFolders, source);

        // A stray file beside a class's images is most likely a mislabelled or unsupported image:
        // refuse it rather than silently train on fewer images. Files elsewhere (README, LICENSE) are fine.
        foreach (var file in entries.Where(e => !e.IsFolder && !ImageSourceReader.IsImageName(e.Name)))
            if (classFolders.Contains(Key(file.Parent)))
                throw new InvalidDataException(
                    $"{file.DisplayPath}: not an image file (class folders may hold only {string.Join(", ", ImageSourceReader.ImageExtensions)})");

        // A folder beside classes that holds no image is a class with no images.
        var groupFolders = images.Select(i => Key(i.Parent.Take(i.Parent.Count - 1))).ToHashSet(StringComparer.Ordinal);
        var foldersWithImages = images.SelectMany(i => Prefixes(i.Parent)).ToHashSet(StringComparer.Ordinal);
        foreach (var folder in entries.Where(e => e.IsFolder && e.Segments.Count >= 2))
            if (groupFolders.Contains(Key(folder.Parent)) && !foldersWithImages.Contains(Key(folder.Segments)))
                throw new InvalidDataException($"class '{folder.Segments[^2]}/{folder.Name}' has no images ({folder.DisplayPath})");

        return images.Select(i => new ClassImage(i.Segments[^3], i.Segments[^2], i)).ToList();
    }

    private static void CheckNoClassInsideAClass(HashSet<string> classFolders, string source)
    {
        foreach (var folder in classFolders)
        {
            var segments = folder.Split('/');
            for (int depth = 1; depth < segments.Length; depth++)
            {
                var ancestor = string.Join('/', segments[..depth]);
                if (classFolders.Contains(ancestor))
                    throw new InvalidDataException(
                        $"{source}: folder '{ancestor}' holds images and also folders of images ('{folder}'); expected <group>/<class>/<image>");
            }
        }
    }

    private static IEnumerable<string> Prefixes(IReadOnlyList<string> segments)
    {
        for (int depth = 1; depth <= segments.Count; depth++) yield return Key(segments.Take(depth));
    }

    private static string Key(IEnumerable<string> segments) => string.Join('/', segments);
}
