namespace MetaCluster.Tests.Processes;

/// <summary>When a test that needs a system program skips: never as root (the scripts install it), never when it is on PATH.</summary>
public sealed class SystemPackagesTests
{
    [Fact]
    public void AMissingProgramIsNamedWithTheCommandThatInstallsItWhenNotRoot()
    {
        var reason = SystemPackages.Missing("no-such-program-for-metacluster", "no-such-package", root: false);

        Assert.NotNull(reason);
        Assert.Contains("no-such-program-for-metacluster is not installed", reason, StringComparison.Ordinal);
        Assert.Contains("sudo apt-get install no-such-package", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AsRootTheScriptsInstallItSoNothingIsSkipped() =>
        Assert.Null(SystemPackages.Missing("no-such-program-for-metacluster", "no-such-package", root: true));

    [Fact]
    public void AProgramOnPathIsThere() => Assert.Null(SystemPackages.Missing("bash", "bash", root: false));
}
