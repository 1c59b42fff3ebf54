using System.CommandLine;
using System.CommandLine.Parsing;

namespace MetaCluster.ServiceDefaults.Options;

/// <summary>
/// The one line a user sees for a command line that does not parse: the first problem, naming the
/// option or verb (<c>unknown option '--shost' (did you mean '--shots'?)</c>), without the
/// parser's usage dump.
/// </summary>
public static class ParseErrors
{
    private const int MaxSuggestionDistance = 3;

    /// <summary>The line describing the first error of <paramref name="result"/> (which must have one).</summary>
    public static string Describe(ParseResult result)
    {
        var command = result.CommandResult.Command;
        return result.UnmatchedTokens.Count > 0 ? Unmatched(command, result.UnmatchedTokens[0]) : Describe(result.Errors[0]);
    }

    /// <summary>The line describing <paramref name="error"/>, an error about an option's value or presence.</summary>
    public static string Describe(ParseError error)
    {
        var option = OptionResultOf(error);
        if (option is not null && option.IdentifierToken is null) return $"{option.Option.Name} is required";
        if (option is not null && option.Tokens.Count == 0 && option.Option.Arity.MinimumNumberOfValues > 0) return $"{option.Option.Name} needs a value";
        if (option is not null && option.Tokens.Count > option.Option.Arity.MaximumNumberOfValues)
            return $"{option.Option.Name} is given {option.Tokens.Count} times; give it once";
        return error.Message;
    }

    /// <summary>The option <paramref name="error"/> is about, or null when it is about the command.</summary>
    public static Option? OptionOf(ParseError error) => OptionResultOf(error)?.Option;

    private static OptionResult? OptionResultOf(ParseError error) => error.SymbolResult as OptionResult ?? error.SymbolResult?.Parent as OptionResult;

    private static string Unmatched(Command command, string token)
    {
        if (token.StartsWith('-'))
        {
            var names = command.Options.Concat(command.Parents.OfType<Command>().SelectMany(p => p.Options).Where(o => o.Recursive))
                .Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name));
            return $"unknown option '{token}'{Suggestion(token, names)}";
        }
        if (command.Subcommands.Count > 0)
        {
            var verbs = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToArray();
            string suggestion = Suggestion(token, verbs);
            return $"unknown verb '{token}'{(suggestion.Length > 0 ? suggestion : $" (available: {string.Join(", ", verbs)})")}";
        }
        return $"unexpected argument '{token}' (options look like --name value)";
    }

    private static string Suggestion(string token, IEnumerable<string> candidates)
    {
        // Close enough to be a typo: at most three edits, and fewer than half the letters of the word.
        int letters = token.TrimStart('-').Length;
        var best = candidates.Distinct()
            .Select(c => (Name: c, Distance: Distance(token, c)))
            .Where(c => c.Distance <= MaxSuggestionDistance && 2 * c.Distance < letters)
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        return best.Name is null ? "" : $" (did you mean '{best.Name}'?)";
    }

    // Levenshtein distance, two rows.
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
