using System.Text.RegularExpressions;
using MetaCluster.Coordinator.Cli;

namespace MetaCluster.Tests.Cli;

/// <summary>
/// The presets under configs/: each is named configs/&lt;task&gt;-&lt;ways&gt;w&lt;shots&gt;s-&lt;algorithm&gt;.yaml
/// (or &lt;task&gt;-&lt;algorithm&gt;.yaml without episodes), says what its name says, and is a complete
/// recipe that the CLI's one validator accepts once the data paths are added.
/// </summary>
public sealed partial class PresetTests
{
    public static TheoryData<string> Presets() =>
        [.. Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "configs"), "*.yaml").Select(f => Path.GetFileName(f)).Order()];

    [Fact]
    public void ThePresetsTheIssueNamesExist()
    {
        foreach (var name in new[] { "omniglot-5w1s-protonet.yaml", "omniglot-20w1s-protonet.yaml", "omniglot-5w1s-maml.yaml" })
            Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, "configs", name)), name);
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void APresetIsWhatItsNameSaysAndValidatesWithItsData(string file)
    {
        var name = PresetName().Match(file);
        Assert.True(name.Success, $"{file} is not named <task>-<ways>w<shots>s-<algorithm>.yaml");
        string path = Path.Combine(RepositoryPaths.Root, "configs", file);
        string[] data = name.Groups["task"].Value == "omniglot" ? ["--data", OmniglotData.Small1, "--eval-data", OmniglotData.Small2] : [];

        var run = TrainOptions.Parse(["--config", path, .. data]).Run;

        Assert.Equal(name.Groups["algorithm"].Value, run.Algorithm);
        Assert.Equal(name.Groups["task"].Value == "omniglot" ? "images" : name.Groups["task"].Value, run.Task);
        if (name.Groups["ways"].Success)
        {
            Assert.Equal(int.Parse(name.Groups["ways"].Value, System.Globalization.CultureInfo.InvariantCulture), run.Ways);
            Assert.Equal(int.Parse(name.Groups["shots"].Value, System.Globalization.CultureInfo.InvariantCulture), run.Shots);
        }
        // A preset carries no data paths: the user's come with --data.
        Assert.DoesNotContain(File.ReadAllLines(path), line => line.StartsWith("data:", StringComparison.Ordinal) || line.StartsWith("eval-data:", StringComparison.Ordinal));
        Assert.Equal(600, run.EvalTasks);
    }

    [GeneratedRegex(@"^(?<task>[a-z]+)-(?:(?<ways>[0-9]+)w(?<shots>[0-9]+)s-)?(?<algorithm>[a-z]+)\.yaml$")]
    private static partial Regex PresetName();
}
