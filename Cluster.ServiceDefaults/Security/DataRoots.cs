using System.Runtime.InteropServices;

namespace MetaCluster.ServiceDefaults.Security;

/// <summary>
/// Paths a client names in cluster mode must lie under the <c>--data-root</c>s of the process that
/// reads them (the coordinator and every worker), so the API cannot be used to read arbitrary files
/// of the machines. Paths are compared after resolving every symbolic link (a link inside a root
/// that points elsewhere is outside), and before anything else looks at them, so the check does
/// not reveal whether a path outside the roots exists.
/// </summary>
public static class DataRoots
{
    /// <summary>
    /// The first of <paramref name="paths"/> (or of the files and folders inside one that is a
    /// folder) that resolves outside every root, with the reason; null when all are inside.
    /// </summary>
    public static string? Violation(IEnumerable<string> paths, IReadOnlyList<string> roots)
    {
        var resolvedRoots = roots.Select(Resolve).ToArray();
        foreach (var path in paths)
        {
            if (roots.Count == 0) return $"'{path}': this process has no --data-root, so runs cannot read data files";
            string resolved = Resolve(path);
            if (!resolvedRoots.Any(root => IsUnder(resolved, root)))
                return $"'{path}' is not under a data root ({string.Join(", ", roots)})";
            if (Directory.Exists(resolved) && Escapes(resolved, resolvedRoots) is { } escape)
                return $"'{path}' holds '{Path.GetRelativePath(resolved, escape)}', which leads outside the data roots";
        }
        return null;
    }

    /// <summary>
    /// <paramref name="path"/> made absolute with every symbolic link resolved (the kernel's
    /// <c>realpath</c>); for a path that does not exist, its longest existing prefix resolved and
    /// the rest appended.
    /// </summary>
    public static string Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows()) return full;
        var resolved = RealPath(full, IntPtr.Zero);
        if (resolved != IntPtr.Zero)
        {
            try { return Marshal.PtrToStringUTF8(resolved)!; }
            finally { Free(resolved); }
        }
        string? parent = Path.GetDirectoryName(full);
        return parent is null || parent == full ? full : Path.Combine(Resolve(parent), Path.GetFileName(full));
    }

    // A file or folder inside the data folder that resolves elsewhere (a link planted in the data).
    private static string? Escapes(string folder, string[] roots)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder, "*", options))
        {
            if (new FileInfo(entry).LinkTarget is null) continue;
            string target = Resolve(entry);
            if (!roots.Any(root => IsUnder(target, root))) return entry;
        }
        return null;
    }

    private static bool IsUnder(string path, string root)
    {
        root = Path.TrimEndingDirectorySeparator(root);
        return path == root || path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    // libc's realpath: exact symlink resolution as the kernel sees it, which no .NET API offers.
    [DllImport("libc", EntryPoint = "realpath")]
    private static extern IntPtr RealPath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(IntPtr pointer);
}
