using System.Text.RegularExpressions;

namespace MetaCluster.Tests.Deploy.Docs;

/// <summary>
/// Finds the verbs and <c>--options</c> a page's code names that no executable of the repository
/// accepts. Options written <c>--prefix-*</c> stand for a family and need one option that starts so.
/// </summary>
internal static partial class DocOptions
{
    /// <summary>
    /// Options of commands outside the repository that the docs show (dotnet, helm, kubectl, docker,
    /// npm, pip, the shell scripts under Deploy/ and the PyTorch reference script), allowed as they are.
    /// </summary>
    public static readonly IReadOnlySet<string> External = new HashSet<string>(StringComparer.Ordinal)
    {
        // dotnet
        "--project", "--no-build", "--filter", "--configuration", "--framework", "--global", "--add-source", "--no-restore", "--logger",
        // helm, kubectl, docker
        "--set", "--create-namespace", "--namespace", "--values", "--replicas", "--build", "--file", "--gpus", "--rm",
        // pip
        "--user", "--upgrade", "--index-url",
        // tensorboard
        "--logdir",
        // Deploy/build-images.sh
        "--push", "--backend",
        // bench/reference/maml_reference.py
        "--steps", "--memory-format",
        // Deploy/gpu/run.sh and bundle.sh
        "--cpu", "--quick", "--force-build", "--no-publish",
        // Deploy/AppHost (AppHostSettings reads them from its configuration, not a System.CommandLine command)
        "--redis-port", "--api-port", "--sample-ratio",
    };

    /// <summary>One line per unknown verb or option: "PAGE:LINE: ...".</summary>
    public static IReadOnlyList<string> Problems(MarkdownPage page, IReadOnlySet<string> options, IReadOnlySet<string> coordinatorVerbs, IReadOnlySet<string> toolVerbs)
    {
        var problems = new List<string>();
        foreach (var (line, code) in page.Code())
        {
            foreach (Match match in Pattern().Matches(code))
            {
                var option = match.Groups[1].Value;
                var known = match.Groups[2].Success
                    ? options.Any(o => o.StartsWith(option + "-", StringComparison.Ordinal))
                    : options.Contains(option) || External.Contains(option);
                if (!known) problems.Add($"{page.RelativePath}:{line}: {option}{match.Groups[2].Value} is not an option of Coordinator, TaskWorker, metacluster or Bench (their --help), nor an allowed external one");
            }
            foreach (Match match in CoordinatorVerb().Matches(code))
            {
                if (!coordinatorVerbs.Contains(match.Groups[1].Value))
                    problems.Add($"{page.RelativePath}:{line}: 'Coordinator {match.Groups[1].Value}' is not a verb of Coordinator (it has {string.Join(", ", coordinatorVerbs.Order())})");
            }
            foreach (Match match in ToolVerb().Matches(code))
            {
                if (!toolVerbs.Contains(match.Groups[1].Value))
                    problems.Add($"{page.RelativePath}:{line}: 'metacluster {match.Groups[1].Value}' is not a verb of the metacluster tool (it has {string.Join(", ", toolVerbs.Order())})");
            }
        }
        return problems;
    }

    /// <summary>An option: two dashes, a lower-case word, more words after single dashes; group 2 a trailing <c>-*</c>.</summary>
    [GeneratedRegex(@"(?<![\w-])(--[a-z][a-z0-9]*(?:-[a-z0-9]+)*)(-\*)?")]
    public static partial Regex Pattern();

    /// <summary>The Coordinator run by <c>dotnet run --project Coordinator --</c>, as a dll or by name, then its verb.</summary>
    [GeneratedRegex(@"(?:--project Coordinator --|Coordinator\.dll|(?:^|\s)Coordinator)\s+([a-z][a-z-]*)\b")]
    private static partial Regex CoordinatorVerb();

    /// <summary>The metacluster tool as a command: at the start of the code, after <c>$(</c> or after <c>;</c>.</summary>
    [GeneratedRegex(@"(?:^\s*|\$\(|;\s*)metacluster\s+([a-z][a-z-]*)\b")]
    private static partial Regex ToolVerb();
}
