using System.Text;
using System.Text.RegularExpressions;

namespace MetaCluster.Tests.Deploy.Docs;

/// <summary>A Markdown page of the repository's documentation: its code (fenced blocks and inline spans) and its links.</summary>
internal sealed partial record MarkdownPage(string RelativePath, string Text)
{
    /// <summary>README.md, CONTRIBUTING.md, CHANGELOG.md and every page under docs/.</summary>
    public static IReadOnlyList<MarkdownPage> All()
    {
        var root = DeployFiles.RepositoryRoot;
        var paths = new[] { "README.md", "CONTRIBUTING.md", "CHANGELOG.md" }
            .Select(name => Path.Combine(root, name))
            .Where(File.Exists)
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        return paths.Select(path => new MarkdownPage(Path.GetRelativePath(root, path), File.ReadAllText(path))).ToList();
    }

    public string FullPath => Path.Combine(DeployFiles.RepositoryRoot, RelativePath);

    /// <summary>Every line of every fenced code block, with its line number.</summary>
    public IEnumerable<(int Line, string Text)> CodeBlockLines() => Lines(inCode: true);

    /// <summary>Every inline code span outside fenced blocks, with its line number.</summary>
    public IEnumerable<(int Line, string Text)> InlineCode()
    {
        foreach (var (line, text) in ProseLines())
        {
            foreach (Match span in InlineSpan().Matches(text)) yield return (line, span.Groups[1].Value);
        }
    }

    /// <summary>All code of the page: fenced lines (a line ending in a backslash joined with the next) and inline spans.</summary>
    public IEnumerable<(int Line, string Text)> Code()
    {
        var pending = new StringBuilder();
        var start = 0;
        foreach (var (line, text) in CodeBlockLines())
        {
            if (pending.Length == 0) start = line;
            var trimmed = text.TrimEnd();
            if (trimmed.EndsWith('\\'))
            {
                pending.Append(trimmed[..^1]).Append(' ');
                continue;
            }
            pending.Append(trimmed);
            yield return (start, pending.ToString());
            pending.Clear();
        }
        if (pending.Length > 0) yield return (start, pending.ToString());
        foreach (var span in InlineCode()) yield return span;
    }

    /// <summary>Targets of Markdown links and images outside code, with their line numbers.</summary>
    public IEnumerable<(int Line, string Target)> Links()
    {
        foreach (var (line, text) in ProseLines())
        {
            var withoutCode = InlineSpan().Replace(text, "");
            foreach (Match link in LinkTarget().Matches(withoutCode)) yield return (line, link.Groups[1].Value);
        }
    }

    /// <summary>The anchors GitHub gives the page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered.</summary>
    public IReadOnlySet<string> Anchors()
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, text) in ProseLines())
        {
            if (Heading().Match(text) is not { Success: true } heading) continue;
            var slug = new string(heading.Groups[1].Value.Trim().ToLowerInvariant()
                .Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_').ToArray()).Replace(' ', '-');
            var unique = slug;
            for (var n = 1; !anchors.Add(unique); n++) unique = $"{slug}-{n}";
        }
        return anchors;
    }

    private IEnumerable<(int Line, string Text)> ProseLines() => Lines(inCode: false);

    // The lines inside fenced code blocks, or those outside them, with their 1-based numbers.
    private IEnumerable<(int Line, string Text)> Lines(bool inCode)
    {
        var inFence = false;
        var lines = Text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }
            if (inFence == inCode) yield return (i + 1, lines[i]);
        }
    }

    [GeneratedRegex(@"^#{1,6}\s+(.+?)\s*#*$")]
    private static partial Regex Heading();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex InlineSpan();

    [GeneratedRegex(@"\]\(([^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex LinkTarget();
}
