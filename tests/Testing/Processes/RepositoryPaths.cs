namespace MetaCluster.Testing.Processes;

public static class RepositoryPaths
{
    /// <summary>The repository root: the folder holding Cluster.sln above the test binaries.</summary>
    public static string Root { get; } = RepositoryLayout.FindRoot()
        ?? throw new InvalidOperationException("Cluster.sln not found above " + AppContext.BaseDirectory);

    /// <summary>The built executables, next to the test assembly.</summary>
    public static string Binary(string name) => RepositoryLayout.Binary(name);
}
