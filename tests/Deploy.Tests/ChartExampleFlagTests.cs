using System.Text.RegularExpressions;

namespace MetaCluster.Tests.Deploy;

/// <summary>
/// The chart's comments show flags a user copies into <c>coordinator.extraArgs</c>: each must be an
/// option <c>Coordinator serve</c> has, or the pod crash-loops on "unrecognized option".
/// </summary>
public sealed partial class ChartExampleFlagTests
{
    [Fact]
    public void TheCoordinatorExtraArgsExampleNamesOnlyServeOptions()
    {
        string values = DeployFiles.Read("helm", "metacluster", "values.yaml");
        string serve = DeployFiles.Read("Coordinator", "Cli", "ServeCommand.cs");
        var comment = Assert.Single(values.Split('\n'), l => l.Contains("appended to `Coordinator serve`", StringComparison.Ordinal));
        // The example is the bracketed list (the comment also points at `--help`, which every verb has).
        var example = Assert.Single(Example().Matches(comment)).Groups["args"].Value;
        var flags = Flag().Matches(example).Select(m => m.Value).ToArray();
        Assert.NotEmpty(flags);
        Assert.All(flags, flag => Assert.Contains($"\"{flag}\"", serve, StringComparison.Ordinal));
        // The flag the example once named: serve has no such option.
        Assert.DoesNotContain("\"--log-level\"", serve, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\[(?<args>[^\]]*)\]")]
    private static partial Regex Example();

    [GeneratedRegex(@"--[a-z][a-z-]*")]
    private static partial Regex Flag();
}
