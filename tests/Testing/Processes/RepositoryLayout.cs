namespace MetaCluster.Testing.Processes;

/// <summary>
/// Where the repository's files and the built executables are, for code that starts other
/// processes (Redis through <c>Deploy/scripts</c>, the PyTorch reference in <c>bench/reference</c>,
/// <c>Coordinator serve</c> and TaskWorker processes).
/// </summary>
public static class RepositoryLayout
{
    /// <summary>
    /// The repository root: the first folder holding <c>Cluster.sln</c> above the running assembly
    /// (a build output inside the checkout), else above the current directory; null when neither is
    /// inside a checkout.
    /// </summary>
    public static string? FindRoot() => FindAbove(AppContext.BaseDirectory) ?? FindAbove(Environment.CurrentDirectory);

    /// <summary>A built executable's assembly (<c>Coordinator</c>, <c>TaskWorker</c>), next to the running assembly.</summary>
    public static string Binary(string name) => Path.Combine(AppContext.BaseDirectory, name + ".dll");

    private static string? FindAbove(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Cluster.sln"))) return dir.FullName;
        return null;
    }
}
