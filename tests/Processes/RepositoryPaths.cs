namespace MetaCluster.Tests.Processes;

internal static class RepositoryPaths
{
    /// <summary>The repository root: the folder holding Cluster.sln above the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The built executables, next to the test assembly.</summary>
    public static string Binary(string name) => Path.Combine(AppContext.BaseDirectory, name + ".dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Cluster.sln"))) return dir.FullName;
        throw new InvalidOperationException("Cluster.sln not found above " + AppContext.BaseDirectory);
    }
}
