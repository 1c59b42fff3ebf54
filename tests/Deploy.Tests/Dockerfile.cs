using System.Text.RegularExpressions;

namespace MetaCluster.Tests.Deploy;

/// <summary>A Dockerfile read into its instructions and build stages (enough for checks, not a full parser).</summary>
internal sealed partial class Dockerfile
{
    /// <summary>One instruction: keyword (upper case), its arguments with line continuations joined, and its stage (-1 before the first FROM).</summary>
    public sealed record Instruction(string Keyword, string Arguments, int Stage);

    /// <summary>A build stage: the image or stage it starts from and its name.</summary>
    public sealed record Stage(string From, string? Name);

    public IReadOnlyList<Instruction> Instructions { get; }

    public IReadOnlyList<Stage> Stages { get; }

    /// <summary>Defaults of the ARGs declared before the first FROM (the ones FROM lines may use).</summary>
    public IReadOnlyDictionary<string, string> GlobalArgs { get; }

    public Dockerfile(string text)
    {
        var instructions = new List<Instruction>();
        var stages = new List<Stage>();
        var globalArgs = new Dictionary<string, string>();
        var logical = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#'))
            {
                // Comments (and parser directives) are dropped, also inside a continued instruction, as Docker does.
                continue;
            }
            if (line.EndsWith('\\'))
            {
                logical += line[..^1] + " ";
                continue;
            }
            logical += line;
            if (logical.Trim().Length > 0)
            {
                var parts = logical.Trim().Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
                var keyword = parts[0].ToUpperInvariant();
                var arguments = parts.Length > 1 ? WhiteSpace().Replace(parts[1], " ").Trim() : "";
                if (keyword == "FROM")
                {
                    var from = FromLine().Match(arguments);
                    stages.Add(new Stage(from.Groups["image"].Value, from.Groups["name"].Success ? from.Groups["name"].Value : null));
                }
                else if (keyword == "ARG" && stages.Count == 0)
                {
                    var declaration = arguments.Split('=', 2);
                    globalArgs[declaration[0]] = declaration.Length > 1 ? declaration[1].Trim('"') : "";
                }
                instructions.Add(new Instruction(keyword, arguments, stages.Count - 1));
            }
            logical = "";
        }
        Instructions = instructions;
        Stages = stages;
        GlobalArgs = globalArgs;
    }

    public static Dockerfile Load(string relativePath) => new(DeployFiles.Read(relativePath.Split('/')));

    /// <summary>The final stage's index: what `docker build` produces without --target.</summary>
    public int FinalStage => Stages.Count - 1;

    public IEnumerable<Instruction> InStage(int stage) => Instructions.Where(i => i.Stage == stage);

    public int StageNamed(string name) => Stages.Select((s, i) => (s, i)).Single(x => x.s.Name == name).i;

    /// <summary>An image reference with the global ARG defaults substituted.</summary>
    public string Expand(string reference) =>
        ArgReference().Replace(reference, m => GlobalArgs.TryGetValue(m.Groups["name"].Value, out var value) ? value : m.Value);

    [GeneratedRegex(@"^(--platform=\S+\s+)?(?<image>\S+)(\s+AS\s+(?<name>\S+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex FromLine();

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex ArgReference();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
