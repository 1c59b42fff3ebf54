namespace MetaCluster.Client;

/// <summary>
/// Where a file the coordinator names goes under a local directory. The name comes from the network,
/// so it is checked as untrusted input: relative, '/'-separated, no empty, "." or ".." segment, no
/// backslash, colon or control character, not a <c>.part</c> name (this client's partial downloads),
/// and resolved strictly inside the directory without passing through a symbolic link.
/// </summary>
internal static class RunFilePaths
{
    public const string PartialSuffix = ".part";

    /// <summary>The full local path of <paramref name="serverPath"/> under <paramref name="root"/> (a full path).</summary>
    /// <exception cref="MetaClusterException">INTERNAL: the name would leave the directory or is not a plain relative path.</exception>
    public static string Resolve(string root, string serverPath)
    {
        string? problem = Problem(serverPath);
        if (problem is not null) throw Unsafe(serverPath, problem);
        string full = Path.GetFullPath(Path.Combine(root, serverPath.Replace('/', Path.DirectorySeparatorChar)));
        string prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        if (!full.StartsWith(prefix, StringComparison.Ordinal)) throw Unsafe(serverPath, "it resolves outside the directory");
        // An existing link on the way could point anywhere: refuse it rather than follow it.
        for (string? at = full; at is not null && at.Length > prefix.Length - 1; at = Path.GetDirectoryName(at))
        {
            var entry = new FileInfo(at);
            if (entry.Exists || Directory.Exists(at))
            {
                if (entry.LinkTarget is not null || new DirectoryInfo(at).LinkTarget is not null)
                    throw Unsafe(serverPath, $"'{at}' is a symbolic link");
            }
        }
        var partial = new FileInfo(full + PartialSuffix);
        if (partial.Exists && partial.LinkTarget is not null) throw Unsafe(serverPath, $"'{partial.FullName}' is a symbolic link");
        return full;
    }

    private static string? Problem(string path)
    {
        if (string.IsNullOrEmpty(path)) return "it is empty";
        if (path.Length > 1024) return "it is longer than 1024 characters";
        if (path.StartsWith('/') || Path.IsPathRooted(path)) return "it is absolute";
        if (path.Any(c => char.IsControl(c) || c is '\\' or ':')) return "it has a backslash, colon or control character";
        if (path.Split('/').Any(s => s is "" or "." or "..")) return "it has an empty, '.' or '..' segment";
        if (path.EndsWith(PartialSuffix, StringComparison.Ordinal)) return $"'{PartialSuffix}' names are this client's partial downloads";
        return null;
    }

    private static MetaClusterException Unsafe(string path, string why) =>
        new(Grpc.Core.StatusCode.Internal, $"the coordinator named a run file '{Shorten(path)}' that this client will not write: {why}");

    private static string Shorten(string path) => path.Length <= 120 ? path : path[..120] + "…";
}
