namespace MetaCluster.Learning.Tasks.Tabular;

/// <summary>What to do with a missing value (an empty cell, <c>NA</c>, <c>N/A</c>, <c>null</c>, or <c>NaN</c>).</summary>
public enum MissingValuePolicy
{
    /// <summary>Stop with a message naming the file, line and column (the default).</summary>
    Error,

    /// <summary>Leave out every row with a missing value.</summary>
    DropRow,

    /// <summary>Replace a missing feature by the mean of its column over the table's rows that have it; a row missing its target is left out.</summary>
    Mean,
}

/// <summary>How a tabular file is split into fields and what counts as missing.</summary>
/// <param name="Separator">The field separator; null: detected from the header (comma, semicolon, tab, pipe).</param>
/// <param name="Missing">The policy for missing values.</param>
public sealed record CsvFormat(char? Separator = null, MissingValuePolicy Missing = MissingValuePolicy.Error)
{
    /// <summary>Comma-separated, missing values are errors: what a per-task CSV file always was.</summary>
    public static CsvFormat Default { get; } = new(',');

    /// <summary>The names <c>--separator</c> accepts.</summary>
    public static IReadOnlyList<string> SeparatorNames { get; } = ["comma", "semicolon", "tab", "pipe", "auto"];

    /// <summary>The names <c>--na</c> accepts, in <see cref="MissingValuePolicy"/> order.</summary>
    public static IReadOnlyList<string> MissingNames => Policies;

    private static readonly string[] Policies = ["error", "drop-row", "mean"];

    /// <summary>The separator a <c>--separator</c> name means (null for auto).</summary>
    public static char? ParseSeparator(string name) => name switch
    {
        "comma" => ',',
        "semicolon" => ';',
        "tab" => '\t',
        "pipe" => '|',
        "auto" => null,
        _ => throw new ArgumentException($"separator must be one of {string.Join(", ", SeparatorNames)}, got '{name}'"),
    };

    /// <summary>The policy a <c>--na</c> name means.</summary>
    public static MissingValuePolicy ParseMissing(string name) => Array.IndexOf(Policies, name) is int i and >= 0
        ? (MissingValuePolicy)i
        : throw new ArgumentException($"the NA policy must be one of {string.Join(", ", MissingNames)}, got '{name}'");

    /// <summary>Whether a field (already unquoted and trimmed) is a missing value.</summary>
    public static bool IsMissing(string field) =>
        field.Length == 0 || field.Equals("NA", StringComparison.OrdinalIgnoreCase) || field.Equals("N/A", StringComparison.OrdinalIgnoreCase)
        || field.Equals("null", StringComparison.OrdinalIgnoreCase) || field.Equals("NaN", StringComparison.OrdinalIgnoreCase);
}
