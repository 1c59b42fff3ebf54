using System.Globalization;
using System.Text.Json;

namespace MetaCluster.ServiceDefaults.Options;

/// <summary>
/// Reads <c>--name value</c>, <c>--name=value</c> and bare <c>--switch</c> options, with values
/// optionally coming from a JSON config file (<c>--config FILE</c>, keys as the option names
/// without dashes); flags override the file. Every option must be known to the verb; every value
/// is checked when read, and errors name the option.
/// </summary>
public sealed class OptionReader
{
    private readonly Dictionary<string, List<string>> values = new(StringComparer.Ordinal);
    private readonly HashSet<string> switches;

    /// <summary>Parses <paramref name="args"/> for a verb that knows <paramref name="valued"/> options and <paramref name="switchOptions"/>.</summary>
    public OptionReader(IEnumerable<string> args, IReadOnlyCollection<string> valued, IReadOnlyCollection<string> switchOptions)
    {
        switches = [.. switchOptions];
        var fromFlags = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            string token = list[i];
            if (!token.StartsWith("--", StringComparison.Ordinal) || token.Length == 2)
                throw new UsageException($"unexpected argument '{token}' (options look like --name value)");
            string name = token[2..];
            string? inline = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) { inline = name[(eq + 1)..]; name = name[..eq]; }
            if (switches.Contains(name))
            {
                if (inline is not null && inline is not ("true" or "false"))
                    throw new UsageException($"--{name} takes no value (got '{inline}')");
                Add(fromFlags, name, inline ?? "true");
                continue;
            }
            if (!valued.Contains(name) && name != "config")
                throw new UsageException($"unknown option '--{name}'");
            string value = inline ?? (i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal)
                ? list[++i]
                : throw new UsageException($"--{name} needs a value"));
            Add(fromFlags, name, value);
        }

        if (fromFlags.TryGetValue("config", out var config))
            LoadConfig(config[^1], valued);
        foreach (var (name, v) in fromFlags)
            if (name != "config") values[name] = v;
    }

    /// <summary>Every option given (flags and config file merged, flags winning), with all its values.</summary>
    public IEnumerable<(string Name, IReadOnlyList<string> Values)> Given =>
        values.Select(kv => (kv.Key, (IReadOnlyList<string>)kv.Value));

    /// <summary>True when the option was given (flag or config).</summary>
    public bool Has(string name) => values.ContainsKey(name);

    /// <summary>A string option.</summary>
    public string String(string name, string fallback) => values.TryGetValue(name, out var v) ? v[^1] : fallback;

    /// <summary>A string option, or null.</summary>
    public string? OptionalString(string name) => values.TryGetValue(name, out var v) ? v[^1] : null;

    /// <summary>Every value of a repeatable option.</summary>
    public IReadOnlyList<string> All(string name) => values.TryGetValue(name, out var v) ? v : [];

    /// <summary>A switch.</summary>
    public bool Switch(string name) => values.TryGetValue(name, out var v) && v[^1] == "true";

    /// <summary>An integer in [min, max].</summary>
    public int Int(string name, int fallback, int min, int max = int.MaxValue)
    {
        if (!values.TryGetValue(name, out var v)) return fallback;
        if (!int.TryParse(v[^1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int x))
            throw new UsageException($"--{name} must be an integer, got '{v[^1]}'");
        return x >= min && x <= max ? x : throw new UsageException($"--{name} must be {Range(min, max)}, got {x}");
    }

    /// <summary>An unsigned 64-bit integer.</summary>
    public ulong UInt64(string name, ulong fallback)
    {
        if (!values.TryGetValue(name, out var v)) return fallback;
        return ulong.TryParse(v[^1], NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong x)
            ? x : throw new UsageException($"--{name} must be a non-negative integer, got '{v[^1]}'");
    }

    /// <summary>A finite number in (or at) the given bounds.</summary>
    public double Double(string name, double fallback, double min, double max = double.MaxValue, bool minExclusive = false)
    {
        if (!values.TryGetValue(name, out var v)) return fallback;
        if (!double.TryParse(v[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !double.IsFinite(x))
            throw new UsageException($"--{name} must be a number, got '{v[^1]}'");
        bool ok = (minExclusive ? x > min : x >= min) && x <= max;
        return ok ? x : throw new UsageException($"--{name} must be {(minExclusive ? $"greater than {min.ToString(CultureInfo.InvariantCulture)}" : $"at least {min.ToString(CultureInfo.InvariantCulture)}")}{(max < double.MaxValue ? $" and at most {max.ToString(CultureInfo.InvariantCulture)}" : "")}, got {v[^1]}");
    }

    /// <summary>A comma-separated list of integers, each in [min, max].</summary>
    public int[] IntList(string name, int[] fallback, int min, int max)
    {
        if (!values.TryGetValue(name, out var v)) return fallback;
        var parts = v[^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new UsageException($"--{name} needs at least one integer");
        return parts.Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int x) && x >= min && x <= max
            ? x : throw new UsageException($"--{name}: '{p}' is not an integer {Range(min, max)}")).ToArray();
    }

    /// <summary>One of the given choices.</summary>
    public string Choice(string name, string fallback, IReadOnlyCollection<string> choices)
    {
        string value = String(name, fallback);
        return choices.Contains(value) ? value : throw new UsageException($"--{name} must be one of {string.Join(", ", choices)}; got '{value}'");
    }

    private static string Range(int min, int max) =>
        max == int.MaxValue ? (min == 1 ? "a positive integer" : $"at least {min}") : $"between {min} and {max}";

    private static void Add(Dictionary<string, List<string>> into, string name, string value)
    {
        if (!into.TryGetValue(name, out var list)) into[name] = list = [];
        list.Add(value);
    }

    private void LoadConfig(string path, IReadOnlyCollection<string> valued)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--config: cannot read '{path}': {e.Message}");
        }
        catch (JsonException e)
        {
            throw new UsageException($"--config: '{path}' is not valid JSON: {e.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new UsageException($"--config: '{path}' must hold a JSON object of option names and values");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                string name = property.Name.Replace('_', '-');
                if (!valued.Contains(name) && !switches.Contains(name))
                    throw new UsageException($"--config: '{path}' has unknown option '{property.Name}'");
                var items = property.Value.ValueKind == JsonValueKind.Array
                    ? property.Value.EnumerateArray().Select(ToText).ToList()
                    : [ToText(property.Value)];
                values[name] = name == "eval-inner-steps" && items.Count > 1 ? [string.Join(',', items)] : items;
            }
        }
    }

    private static string ToText(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => e.GetRawText(),
    };
}
