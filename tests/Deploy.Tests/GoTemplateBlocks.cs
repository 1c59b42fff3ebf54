using System.Text.RegularExpressions;

namespace MetaCluster.Tests.Deploy;

/// <summary>
/// The control blocks of a Go (Helm) template, enough to ask which <c>if</c>/<c>else</c> branch
/// a piece of template text sits in without rendering it.
/// </summary>
internal sealed partial class GoTemplateBlocks
{
    /// <summary>An open block: its keyword (if, with, range, define, block), its condition, and whether the position is in its else branch.</summary>
    public sealed record Block(string Keyword, string Condition, bool InElse);

    private readonly string _text;
    private readonly List<(int Start, int End, string Body)> _actions;

    public GoTemplateBlocks(string text)
    {
        _text = text;
        _actions = Action().Matches(text).Select(m => (m.Index, m.Index + m.Length, m.Groups["body"].Value.Trim())).ToList();
    }

    /// <summary>The blocks enclosing <paramref name="position"/>, outermost first.</summary>
    public IReadOnlyList<Block> Enclosing(int position)
    {
        var stack = new List<Block>();
        foreach (var (start, _, body) in _actions)
        {
            if (start >= position)
            {
                break;
            }
            var keyword = body.Split(' ', 2)[0];
            var rest = body.Length > keyword.Length ? body[keyword.Length..].Trim() : "";
            switch (keyword)
            {
                case "if" or "with" or "range" or "define" or "block":
                    stack.Add(new Block(keyword, rest, false));
                    break;
                case "else":
                    // `else if X` closes the first branch and opens another; treat it as the else branch.
                    stack[^1] = stack[^1] with { InElse = true };
                    break;
                case "end":
                    stack.RemoveAt(stack.Count - 1);
                    break;
            }
        }
        return stack;
    }

    /// <summary>Start offsets of every occurrence of <paramref name="literal"/> outside template actions.</summary>
    public IEnumerable<int> TextOccurrences(string literal)
    {
        for (var at = _text.IndexOf(literal, StringComparison.Ordinal); at >= 0; at = _text.IndexOf(literal, at + 1, StringComparison.Ordinal))
        {
            if (!_actions.Any(a => a.Start <= at && at < a.End))
            {
                yield return at;
            }
        }
    }

    /// <summary>Start offsets of every occurrence of <paramref name="literal"/>, inside actions or not.</summary>
    public IEnumerable<int> Occurrences(string literal)
    {
        for (var at = _text.IndexOf(literal, StringComparison.Ordinal); at >= 0; at = _text.IndexOf(literal, at + 1, StringComparison.Ordinal))
        {
            yield return at;
        }
    }

    [GeneratedRegex(@"\{\{-?\s*(?<body>(?:(?!\}\}).)*?)\s*-?\}\}", RegexOptions.Singleline)]
    private static partial Regex Action();
}
