using MetaCluster.ServiceDefaults.Security;

namespace MetaCluster.Tests.Cli;

public sealed class DataRootsTests
{
    [Fact]
    public void PathsMustLieUnderAConfiguredRoot()
    {
        string[] roots = ["/data/omniglot", "/srv/tabular/"];
        Assert.Null(DataRoots.Violation(["/data/omniglot/small1.zip", "/srv/tabular/assays", "/data/omniglot"], roots));
        Assert.Contains("'/data/omniglotx/a.zip'", DataRoots.Violation(["/data/omniglotx/a.zip"], roots));
        Assert.Contains("'/data/omniglot/../../etc/passwd'", DataRoots.Violation(["/data/omniglot/../../etc/passwd"], roots));
        Assert.Contains("no --data-root", DataRoots.Violation(["/data/omniglot/a.zip"], []));
        Assert.Null(DataRoots.Violation([], []));
    }

    [Fact]
    public void ALinkInsideARootThatLeadsOutsideIsOutside()
    {
        string root = Directory.CreateTempSubdirectory("data-root-").FullName;
        string outside = Directory.CreateTempSubdirectory("outside-").FullName;
        File.WriteAllText(Path.Combine(outside, "secret.csv"), "a,b\n1,2\n");
        Directory.CreateSymbolicLink(Path.Combine(root, "escape"), outside);
        Directory.CreateDirectory(Path.Combine(root, "tabular"));
        File.CreateSymbolicLink(Path.Combine(root, "tabular", "planted.csv"), Path.Combine(outside, "secret.csv"));

        Assert.Contains("is not under a data root", DataRoots.Violation([Path.Combine(root, "escape", "secret.csv")], [root]));
        Assert.Contains("planted.csv", DataRoots.Violation([Path.Combine(root, "tabular")], [root]));
        // A path outside the roots is refused whether or not it exists: the answer reveals nothing.
        Assert.Equal(DataRoots.Violation(["/etc/passwd"], [root])!.Replace("/etc/passwd", "X"), DataRoots.Violation(["/etc/no-such-file"], [root])!.Replace("/etc/no-such-file", "X"));
    }
}
