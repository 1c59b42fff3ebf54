using MetaCluster.Coordinator.Security;

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
}
