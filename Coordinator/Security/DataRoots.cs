namespace MetaCluster.Coordinator.Security;

/// <summary>
/// Paths a client names in cluster mode must lie under the coordinator's <c>--data-root</c>s, so
/// the API cannot be used to read arbitrary files of the machines.
/// </summary>
public static class DataRoots
{
    /// <summary>The first path outside every root, with the reason, or null when all are inside.</summary>
    public static string? Violation(IEnumerable<string> paths, IReadOnlyList<string> roots)
    {
        foreach (var path in paths)
        {
            if (roots.Count == 0) return $"'{path}': this coordinator has no --data-root, so runs cannot read data files";
            string full = Path.GetFullPath(path);
            if (!roots.Any(root => IsUnder(full, Path.GetFullPath(root))))
                return $"'{path}' is not under a data root ({string.Join(", ", roots)})";
        }
        return null;
    }

    private static bool IsUnder(string path, string root)
    {
        root = Path.TrimEndingDirectorySeparator(root);
        return path == root || path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }
}
