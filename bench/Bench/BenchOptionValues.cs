using System.Globalization;
using MetaCluster.ServiceDefaults.Options;

namespace MetaCluster.Bench;

/// <summary>
/// Reads a suite's options out of <see cref="BenchSettings.Options"/>; a bad value is a
/// <see cref="UsageException"/> naming the option, like every other option of the command line.
/// </summary>
public static class BenchOptionValues
{
    /// <summary>The option's value, or <paramref name="fallback"/>.</summary>
    public static string String(this BenchSettings settings, string name, string fallback) =>
        settings.Options.TryGetValue(name, out var value) ? value : fallback;

    /// <summary>The option's value, or null.</summary>
    public static string? OptionalString(this BenchSettings settings, string name) =>
        settings.Options.TryGetValue(name, out var value) ? value : null;

    /// <summary>A positive finite number.</summary>
    public static double PositiveDouble(this BenchSettings settings, string name, double fallback)
    {
        if (!settings.Options.TryGetValue(name, out var text)) return fallback;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && double.IsFinite(x) && x > 0
            ? x : throw new UsageException($"--{name} must be a positive number, got '{text}'");
    }

    /// <summary>A positive integer up to <paramref name="max"/>.</summary>
    public static int PositiveInt(this BenchSettings settings, string name, int fallback, int max = int.MaxValue)
    {
        if (!settings.Options.TryGetValue(name, out var text)) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int x) && x >= 1 && x <= max
            ? x : throw new UsageException($"--{name} must be an integer between 1 and {max}, got '{text}'");
    }

    /// <summary>A comma list of distinct names, each one of <paramref name="allowed"/>.</summary>
    public static IReadOnlyList<string> Names(this BenchSettings settings, string name, IReadOnlyList<string> fallback, IReadOnlyList<string> allowed)
    {
        if (!settings.Options.TryGetValue(name, out var text)) return fallback;
        var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0) throw new UsageException($"--{name} needs at least one of {string.Join(", ", allowed)}");
        foreach (var n in names)
            if (!allowed.Contains(n)) throw new UsageException($"--{name}: unknown '{n}' (expected {string.Join(", ", allowed)})");
        return names.Distinct().ToArray();
    }

    /// <summary>A comma list of distinct positive integers up to <paramref name="max"/>, in increasing order.</summary>
    public static IReadOnlyList<int> PositiveInts(this BenchSettings settings, string name, IReadOnlyList<int> fallback, int max)
    {
        if (!settings.Options.TryGetValue(name, out var text)) return fallback;
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new UsageException($"--{name} needs at least one integer");
        return parts.Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int x) && x >= 1 && x <= max
            ? x : throw new UsageException($"--{name}: '{p}' is not an integer between 1 and {max}")).Distinct().Order().ToArray();
    }
}
