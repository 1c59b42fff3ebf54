using MetaCluster.ServiceDefaults.Security;

namespace MetaCluster.Coordinator.Output;

/// <summary>
/// The files of a run directory as a client may download them: every regular file inside it
/// (temporary files of atomic writes left out), named by '/'-separated relative paths, opened only
/// when the path, resolved, stays inside the directory.
/// </summary>
public static class RunDirectoryFiles
{
    /// <summary>The files of <paramref name="runDirectory"/> with their sizes, in path order.</summary>
    public static IReadOnlyList<(string Path, long Size)> List(string runDirectory)
    {
        if (!Directory.Exists(runDirectory)) return [];
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true };
        return Directory.EnumerateFiles(runDirectory, "*", options)
            .Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal) && !f.EndsWith(".part", StringComparison.Ordinal))
            .Select(f => (Path: Path.GetRelativePath(runDirectory, f).Replace(Path.DirectorySeparatorChar, '/'), Size: new FileInfo(f).Length))
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// Opens <paramref name="relativePath"/> of <paramref name="runDirectory"/> for reading, or throws
    /// <see cref="FileNotFoundException"/> when it is not one of the directory's files (a path that
    /// climbs out, through ".." or a link, is not).
    /// </summary>
    public static FileStream Open(string runDirectory, string relativePath)
    {
        if (relativePath.Length == 0 || relativePath.Length > 1024 || relativePath.Split('/').Any(s => s is "" or "." or ".."))
            throw new FileNotFoundException($"'{relativePath}' is not a file of the run");
        string root = DataRoots.Resolve(runDirectory);
        string full = DataRoots.Resolve(Path.Combine(runDirectory, relativePath.Replace('/', Path.DirectorySeparatorChar)));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(full))
            throw new FileNotFoundException($"'{relativePath}' is not a file of the run");
        return new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
    }
}
