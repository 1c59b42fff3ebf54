using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace MetaCluster.Tool.Cli;

/// <summary>
/// Options with numbers, parsed the same on every machine (invariant culture: <c>0.01</c>, never
/// <c>0,01</c>), with an error that names the option. Ranges are the coordinator's to check: it
/// names the field, and it knows limits this client does not.
/// </summary>
public static class NumberOptions
{
    /// <summary><c>--NAME N</c>, null when not given.</summary>
    public static Option<T?> Single<T>(string name, string description) where T : struct, INumber<T> => new("--" + name)
    {
        Description = description,
        HelpName = typeof(T) == typeof(double) ? "X" : "N",
        CustomParser = result => Parse<T>(result, name, result.Tokens.Count == 0 ? "" : result.Tokens[^1].Value),
    };

    /// <summary><c>--NAME k1,k2,…</c> (or the option repeated), empty when not given.</summary>
    public static Option<T[]> List<T>(string name, string description) where T : struct, INumber<T> => new("--" + name)
    {
        Description = description,
        HelpName = "N1,N2,…",
        CustomParser = result => [.. result.Tokens
            .SelectMany(t => t.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Select(v => Parse<T>(result, name, v) ?? default)],
    };

    /// <summary><c>--NAME a,b,…</c> (or the option repeated), empty when not given.</summary>
    public static Option<string[]> Words(string name, string description) => new("--" + name)
    {
        Description = description,
        HelpName = "A,B,…",
        CustomParser = result => [.. result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))],
    };

    private static T? Parse<T>(ArgumentResult result, string name, string value) where T : struct, INumber<T>
    {
        var style = typeof(T) == typeof(double) || typeof(T) == typeof(float) ? NumberStyles.Float : NumberStyles.Integer;
        if (T.TryParse(value, style, CultureInfo.InvariantCulture, out var parsed)) return parsed;
        string kind = style == NumberStyles.Float ? "a number" : typeof(T) == typeof(ulong) ? "a non-negative integer" : "an integer";
        result.AddError($"--{name} must be {kind}, got '{value}'");
        return null;
    }
}
