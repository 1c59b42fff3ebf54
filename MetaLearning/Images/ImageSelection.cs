namespace MetaCluster.Learning.Images;

/// <summary>
/// Which classes of a data set a split uses: whole groups (alphabet-disjoint Omniglot splits) or
/// the classes listed in a file, one <c>group/class</c> per line (blank lines and lines starting
/// with '#' are skipped).
/// </summary>
public sealed record ImageSelection
{
    /// <summary>Group names, or null when a class list is used.</summary>
    public IReadOnlyList<string>? Groups { get; init; }

    /// <summary>Path of a class-list file, or null when groups are used.</summary>
    public string? ClassListFile { get; init; }

    /// <summary>The classes of these groups.</summary>
    public static ImageSelection ByGroups(params IEnumerable<string> groups) => new() { Groups = groups.ToArray() };

    /// <summary>The classes listed in a file.</summary>
    public static ImageSelection FromClassList(string path) => new() { ClassListFile = path };

    /// <summary>The selected classes of <paramref name="dataset"/>; an unknown group or class is an error naming it.</summary>
    public ImageDataset Apply(ImageDataset dataset)
    {
        if ((Groups is null) == (ClassListFile is null))
            throw new ArgumentException("a selection names either groups or a class-list file, not both or neither");
        if (Groups is not null) return dataset.WithGroups(Groups);

        var keys = new List<string>();
        var lines = File.ReadAllLines(ClassListFile!);
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var key = line.Replace('\\', '/').Trim('/');
            if (key.Split('/').Length != 2)
                throw new InvalidDataException($"{ClassListFile}:{i + 1}: expected <group>/<class>, found '{line}'");
            if (dataset.Find(key) is null)
                throw new InvalidDataException($"{ClassListFile}:{i + 1}: class '{key}' is not in the data set");
            keys.Add(key);
        }
        if (keys.Count == 0) throw new InvalidDataException($"{ClassListFile}: lists no classes");
        return dataset.WithClasses(keys);
    }

    /// <inheritdoc/>
    public override string ToString() => Groups is not null ? $"groups {string.Join(", ", Groups)}" : $"classes in {ClassListFile}";
}
