using System.CommandLine;

namespace MetaCluster.Tool.Cli;

/// <summary><c>--tag KEY=VALUE</c>, repeatable: the tags a run is given (submit) or filtered by (runs).</summary>
public sealed class TagOptions(string description)
{
    private readonly Option<string[]> option = new("--tag") { Description = description, HelpName = "KEY=VALUE" };

    /// <summary>Adds the option to <paramref name="command"/>.</summary>
    public TagOptions AddTo(Command command)
    {
        command.Add(option);
        return this;
    }

    /// <summary>The tags given; a malformed or repeated one is a <see cref="UsageException"/>.</summary>
    public Dictionary<string, string> Read(ParseResult parse)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string tag in parse.GetValue(option) ?? [])
        {
            int equals = tag.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) throw new UsageException($"--tag must be KEY=VALUE, got '{tag}'");
            string key = tag[..equals];
            if (!tags.TryAdd(key, tag[(equals + 1)..])) throw new UsageException($"--tag {key} is given twice");
        }
        return tags;
    }
}
