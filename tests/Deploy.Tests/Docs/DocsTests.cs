using YamlDotNet.RepresentationModel;

namespace MetaCluster.Tests.Deploy.Docs;

/// <summary>
/// The documentation against what ships: every verb and option a page names exists (read from the
/// built executables' --help, so options added later are known without editing this test), every
/// relative link leads to a file (and a heading, where it names an anchor), the README stays short, and the citation file is CFF 1.2.0.
/// </summary>
public sealed class DocsTests(ITestOutputHelper output)
{
    private static readonly Lazy<Task<(HashSet<string> Options, ExecutableHelp Coordinator, ExecutableHelp Tool)>> Executables = new(ReadExecutablesAsync);

    private static readonly Lazy<Task<ExecutableHelp[]>> All = new(() => Task.WhenAll(
        ExecutableHelp.ReadAsync("Coordinator", "Coordinator"),
        ExecutableHelp.ReadAsync("TaskWorker", "TaskWorker"),
        ExecutableHelp.ReadAsync(Path.Combine("clients", "dotnet", "MetaCluster.Tool"), "MetaCluster.Tool"),
        ExecutableHelp.ReadAsync(Path.Combine("bench", "Bench"), "Bench")));

    [Fact]
    public async Task TheCommandLineReferenceIsTheExecutablesHelp()
    {
        var helps = await All.Value;
        var expected = CommandLineReference.Render([("Coordinator", helps[0]), ("TaskWorker", helps[1]), ("metacluster", helps[2]), ("Bench", helps[3])]);
        var path = DeployFiles.InRepository(CommandLineReference.RelativePath);
        var actual = File.Exists(path) ? File.ReadAllText(path) : "";
        if (actual == expected) return;

        File.WriteAllText(path, expected);
        Assert.Fail($"{CommandLineReference.RelativePath} did not match the executables' --help; it has been rewritten: review and commit it");
    }

    [Fact]
    public async Task PagesNameOnlyVerbsAndOptionsThatExist()
    {
        var (options, coordinator, tool) = await Executables.Value;
        output.WriteLine($"{options.Count} options; Coordinator verbs {string.Join(", ", coordinator.Verbs.Order())}; metacluster verbs {string.Join(", ", tool.Verbs.Order())}");
        var pages = MarkdownPage.All();
        Assert.Contains(pages, p => p.RelativePath == "README.md");

        var problems = pages.SelectMany(page => DocOptions.Problems(page, options, coordinator.Verbs, tool.Verbs)).ToList();

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public async Task TheCheckFindsAnOptionOrVerbThatDoesNotExist()
    {
        var (options, coordinator, tool) = await Executables.Value;
        Assert.Contains("train", coordinator.Verbs);
        Assert.Contains("--meta-steps", options);
        var page = new MarkdownPage("docs/made-up.md", """
            Run `Coordinator frobnicate` or:

            ```sh
            dotnet run -c Release --project Coordinator -- train --meta-steps 10 \
              --no-such-option 3
            metacluster teleport $RUN
            ```
            and `--tls-*`, `--nothing-*`.
            """);

        var problems = DocOptions.Problems(page, options, coordinator.Verbs, tool.Verbs);

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("docs/made-up.md:1: 'Coordinator frobnicate'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("docs/made-up.md:4: --no-such-option", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("docs/made-up.md:6: 'metacluster teleport'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("docs/made-up.md:8: --nothing-*", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryRelativeLinkLeadsToAFile()
    {
        var broken = new List<string>();
        foreach (var page in MarkdownPage.All())
        {
            foreach (var (line, target) in page.Links())
            {
                if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
                var parts = target.Split('#', 2);
                var resolved = parts[0].Length == 0 ? page.FullPath : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page.FullPath)!, Uri.UnescapeDataString(parts[0])));
                if (!File.Exists(resolved) && !Directory.Exists(resolved))
                {
                    broken.Add($"{page.RelativePath}:{line}: {target} ({resolved} does not exist)");
                    continue;
                }
                if (parts.Length == 2 && resolved.EndsWith(".md", StringComparison.Ordinal)
                    && !new MarkdownPage(resolved, File.ReadAllText(resolved)).Anchors().Contains(parts[1]))
                    broken.Add($"{page.RelativePath}:{line}: {target} (no heading of {Path.GetFileName(resolved)} has the anchor #{parts[1]})");
            }
        }
        Assert.True(broken.Count == 0, string.Join('\n', broken));
    }

    [Fact]
    public void EveryCodeFenceCloses()
    {
        // An unclosed fence turns the rest of the page into code: its links would go unchecked.
        var open = MarkdownPage.All()
            .Where(page => page.Text.Split('\n').Count(line => line.TrimStart().StartsWith("```", StringComparison.Ordinal)) % 2 != 0)
            .Select(page => page.RelativePath)
            .ToList();
        Assert.True(open.Count == 0, "a code fence is not closed in " + string.Join(", ", open));
    }

    [Fact]
    public void AnchorsAreTheOnesGitHubGivesHeadings()
    {
        var page = new MarkdownPage("x.md", "# Title\n## With TRLearner (`--tr-lambda` > 0): the exact two-phase step\n```sh\n# not a heading\n```\n## C# client and the `metacluster` tool\n## Title\n");

        Assert.Equal(
            new[] { "title", "with-trlearner---tr-lambda--0-the-exact-two-phase-step", "c-client-and-the-metacluster-tool", "title-1" }.Order(),
            page.Anchors().Order());
    }

    [Fact]
    public void TheReadmeStaysShort()
    {
        var lines = File.ReadAllLines(DeployFiles.InRepository("README.md")).Length;
        Assert.True(lines <= 220, $"README.md has {lines} lines; keep it at most 220 and move reference material to docs/");
    }

    [Fact]
    public void TheCitationFileIsCff120WithWhatItRequires()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(DeployFiles.Read("CITATION.cff")));
        var root = (YamlMappingNode)yaml.Documents.Single().RootNode;
        string? Scalar(string key) => root.Children.TryGetValue(new YamlScalarNode(key), out var node) ? ((YamlScalarNode)node).Value : null;

        Assert.Equal("1.2.0", Scalar("cff-version"));
        Assert.False(string.IsNullOrWhiteSpace(Scalar("message")));
        Assert.False(string.IsNullOrWhiteSpace(Scalar("title")));
        var authors = (YamlSequenceNode)root.Children[new YamlScalarNode("authors")];
        Assert.NotEmpty(authors.Children);
        Assert.All(authors.Children.Cast<YamlMappingNode>(), author =>
            Assert.True(author.Children.ContainsKey(new YamlScalarNode("name")) || author.Children.ContainsKey(new YamlScalarNode("family-names")), "each author needs name or family-names"));
        Assert.Equal("MIT", Scalar("license"));
        Assert.StartsWith("MIT License", DeployFiles.Read("LICENSE"), StringComparison.Ordinal);
    }

    private static async Task<(HashSet<string>, ExecutableHelp, ExecutableHelp)> ReadExecutablesAsync()
    {
        var helps = await All.Value;
        var options = new HashSet<string>(StringComparer.Ordinal);
        foreach (var help in helps) options.UnionWith(help.Options);
        return (options, helps[0], helps[2]);
    }
}
