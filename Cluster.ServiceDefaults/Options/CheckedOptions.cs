using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace MetaCluster.ServiceDefaults.Options;

/// <summary>
/// Options whose values are checked while they are parsed, with messages that name the option
/// (<c>--meta-batch must be at least 1, got 0</c>), and whose help shows what they take: the
/// allowed values in place of the value's name, the default after the description. A value from a
/// config file reaches the same parsers as tokens, so it is checked the same way.
/// </summary>
public static class CheckedOptions
{
    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<int> Int(string name, string description, int fallback, int min, int max = int.MaxValue, string helpName = "N") =>
        new(name) { Description = description, HelpName = helpName, DefaultValueFactory = _ => fallback, CustomParser = r => ParseInt(r, name, min, max) };

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>], null when not given (its default depends on other options).</summary>
    public static Option<int?> OptionalInt(string name, string description, int min, int max = int.MaxValue, string helpName = "N", string? describedDefault = null) =>
        new(name) { Description = WithDefault(description, describedDefault), HelpName = helpName, CustomParser = r => ParseInt(r, name, min, max) };

    /// <summary>A non-negative 64-bit integer, null when not given.</summary>
    public static Option<ulong?> OptionalUInt64(string name, string description, string helpName = "N", string? describedDefault = null) =>
        new(name) { Description = WithDefault(description, describedDefault), HelpName = helpName, CustomParser = r => ParseUInt64(r, name) };

    /// <summary>A non-negative 64-bit integer.</summary>
    public static Option<ulong> UInt64(string name, string description, ulong fallback, string helpName = "N") =>
        new(name) { Description = description, HelpName = helpName, DefaultValueFactory = _ => fallback, CustomParser = r => ParseUInt64(r, name) ?? 0 };

    /// <summary>A finite number at least (or, with <paramref name="minExclusive"/>, greater than) <paramref name="min"/> and at most <paramref name="max"/>.</summary>
    public static Option<double> Number(string name, string description, double fallback, double min, double max = double.MaxValue, bool minExclusive = false, string helpName = "X") =>
        new(name) { Description = description, HelpName = helpName, DefaultValueFactory = _ => fallback, CustomParser = r => ParseNumber(r, name, min, max, minExclusive) };

    /// <summary>Like <see cref="Number"/>, but null when not given (its default depends on other options).</summary>
    public static Option<double?> OptionalNumber(string name, string description, double min, double max = double.MaxValue, bool minExclusive = false, string helpName = "X",
        string? describedDefault = null) =>
        new(name) { Description = WithDefault(description, describedDefault), HelpName = helpName, CustomParser = r => ParseNumber(r, name, min, max, minExclusive) };

    /// <summary>Like <see cref="Choice"/>, but null when not given (its default depends on other options).</summary>
    public static Option<string?> OptionalChoice(string name, string description, IReadOnlyList<string> choices, string describedDefault) =>
        new(name)
        {
            Description = WithDefault(description, describedDefault), HelpName = string.Join('|', choices),
            CustomParser = r => choices.Contains(Token(r)) ? Token(r) : Fail<string?>(r, $"{name} must be one of {string.Join(", ", choices)}; got '{Token(r)}'"),
        };

    /// <summary>One of <paramref name="choices"/>, listed as the value's name in help.</summary>
    public static Option<string> Choice(string name, string description, string fallback, IReadOnlyList<string> choices) =>
        new(name)
        {
            Description = description, HelpName = string.Join('|', choices), DefaultValueFactory = _ => fallback,
            CustomParser = r => choices.Contains(Token(r)) ? Token(r) : Fail<string>(r, $"{name} must be one of {string.Join(", ", choices)}; got '{Token(r)}'"),
        };

    /// <summary>A text with a default.</summary>
    public static Option<string> Text(string name, string description, string fallback, string helpName) =>
        new(name) { Description = description, HelpName = helpName, DefaultValueFactory = _ => fallback };

    /// <summary>A text, null when not given.</summary>
    public static Option<string?> OptionalText(string name, string description, string helpName, string? describedDefault = null) =>
        new(name) { Description = WithDefault(description, describedDefault), HelpName = helpName };

    /// <summary>A switch: true when given (<c>--name</c>, or <c>--name true|false</c>).</summary>
    public static Option<bool> Switch(string name, string description) => new(name) { Description = description };

    /// <summary>A yes/no option with a default: <c>--name</c> alone is true, <c>--name false</c> false.</summary>
    public static Option<bool> Toggle(string name, string description, bool fallback) =>
        new(name) { Description = description, HelpName = "true|false", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => fallback };

    /// <summary>An option that may be given several times, one value each time (<c>--data a --data b</c>).</summary>
    public static Option<string[]> Repeatable(string name, string description, string helpName) =>
        new(name) { Description = description + " (repeatable)", HelpName = helpName, Arity = ArgumentArity.OneOrMore, DefaultValueFactory = _ => [] };

    /// <summary>A comma-separated list of texts given as one value (<c>--eval-groups a,b</c>); empty when not given.</summary>
    public static Option<string[]> CommaList(string name, string description, string helpName) =>
        new(name)
        {
            Description = description, HelpName = helpName, Arity = ArgumentArity.ExactlyOne,
            CustomParser = r => Token(r).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
        };

    /// <summary>
    /// A comma-separated list of integers in [<paramref name="min"/>, <paramref name="max"/>] given as one value
    /// (<c>--eval-inner-steps 1,10</c>); null when not given and <paramref name="fallback"/> is null.
    /// </summary>
    public static Option<IntegerList?> IntList(string name, string description, int[]? fallback, int min, int max, string helpName = "K1,K2,…", string? describedDefault = null)
    {
        var option = new Option<IntegerList?>(name)
        {
            Description = WithDefault(description, describedDefault), HelpName = helpName, Arity = ArgumentArity.ExactlyOne,
            CustomParser = r => ParseIntList(r, name, min, max),
        };
        if (fallback is not null) option.DefaultValueFactory = _ => new IntegerList(fallback);
        return option;
    }

    private static int ParseInt(ArgumentResult r, string name, int min, int max)
    {
        string text = Token(r);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int x))
            return Fail<int>(r, $"{name} must be an integer, got '{text}'");
        return x >= min && x <= max ? x : Fail<int>(r, $"{name} must be {Range(min, max)}, got {x}");
    }

    private static ulong? ParseUInt64(ArgumentResult r, string name) =>
        ulong.TryParse(Token(r), NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong x)
            ? x : Fail<ulong>(r, $"{name} must be a non-negative integer, got '{Token(r)}'");

    private static double ParseNumber(ArgumentResult r, string name, double min, double max, bool minExclusive)
    {
        string text = Token(r);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !double.IsFinite(x))
            return Fail<double>(r, $"{name} must be a number, got '{text}'");
        if ((minExclusive ? x > min : x >= min) && x <= max) return x;
        string lower = minExclusive ? $"greater than {Invariant(min)}" : $"at least {Invariant(min)}";
        string upper = max < double.MaxValue ? $" and at most {Invariant(max)}" : "";
        return Fail<double>(r, $"{name} must be {lower}{upper}, got {text}");
    }

    private static IntegerList? ParseIntList(ArgumentResult r, string name, int min, int max)
    {
        var parts = Token(r).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) return Fail<IntegerList?>(r, $"{name} needs at least one integer");
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]) || values[i] < min || values[i] > max)
                return Fail<IntegerList?>(r, $"{name}: '{parts[i]}' is not an integer {Range(min, max)}");
        return new IntegerList(values);
    }

    private static string Token(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";

    private static T Fail<T>(ArgumentResult r, string message)
    {
        r.AddError(message);
        return default!;
    }

    private static string WithDefault(string description, string? describedDefault) =>
        describedDefault is null ? description : $"{description} [default: {describedDefault}]";

    private static string Range(int min, int max) => max == int.MaxValue ? $"at least {min}" : $"between {min} and {max}";

    private static string Invariant(double x) => x.ToString(CultureInfo.InvariantCulture);
}
