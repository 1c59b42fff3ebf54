using System.Text.Json;
using MetaCluster.ServiceDefaults.Options;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MetaCluster.Coordinator.Cli.Config;

/// <summary>
/// Reads a config file (<c>--config FILE</c>): a JSON object or a YAML mapping, chosen by the
/// extension (<c>.json</c>, <c>.yaml</c>, <c>.yml</c>), whose values are scalars or lists of scalars.
/// A file that cannot be read or parsed is a <see cref="UsageException"/> naming it.
/// </summary>
public static class ConfigFile
{
    private static readonly JsonDocumentOptions JsonOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The entries of the file at <paramref name="path"/>, in the file's order.</summary>
    public static IReadOnlyList<ConfigEntry> Read(string path)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".json" or ".yaml" or ".yml"))
            throw new UsageException($"--config: '{path}' must be a .json, .yaml or .yml file");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"--config: cannot read '{path}': {e.Message}");
        }
        return extension == ".json" ? Json(path, text) : Yaml(path, text);
    }

    private static List<ConfigEntry> Json(string path, string text)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new UsageException($"--config: '{path}' is not valid JSON: {e.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new UsageException($"--config: '{path}' must hold a JSON object of option names and values");
            return [.. document.RootElement.EnumerateObject().Select(p => new ConfigEntry(p.Name, JsonValue(path, p.Name, p.Value)))];
        }
    }

    private static ConfigValue JsonValue(string path, string key, JsonElement value) => value.ValueKind == JsonValueKind.Array
        ? new ConfigList([.. value.EnumerateArray().Select(item => JsonScalar(path, key, item))])
        : JsonScalar(path, key, value);

    private static ConfigScalar JsonScalar(string path, string key, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => new ConfigScalar(value.GetString()!, ScalarKind.Text),
        JsonValueKind.Number => new ConfigScalar(value.GetRawText(), ScalarKind.Number),
        JsonValueKind.True => new ConfigScalar("true", ScalarKind.Boolean),
        JsonValueKind.False => new ConfigScalar("false", ScalarKind.Boolean),
        JsonValueKind.Null => new ConfigScalar("", ScalarKind.Null),
        _ => throw NotAValue(path, key),
    };

    private static List<ConfigEntry> Yaml(string path, string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new UsageException($"--config: '{path}' is not valid YAML: line {e.Start.Line}: {e.Message}");
        }
        if (stream.Documents.Count == 0) return [];
        if (stream.Documents[0].RootNode is not YamlMappingNode mapping)
            throw new UsageException($"--config: '{path}' must hold a YAML mapping of option names and values");
        var entries = new List<ConfigEntry>();
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            string key = (keyNode as YamlScalarNode)?.Value ?? throw new UsageException($"--config: '{path}' has a key that is not a name (line {keyNode.Start.Line})");
            entries.Add(new ConfigEntry(key, valueNode is YamlSequenceNode sequence
                ? new ConfigList([.. sequence.Children.Select(item => YamlScalar(path, key, item))])
                : YamlScalar(path, key, valueNode)));
        }
        return entries;
    }

    private static ConfigScalar YamlScalar(string path, string key, YamlNode node)
    {
        if (node is not YamlScalarNode scalar) throw NotAValue(path, key);
        string text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.Plain or ScalarStyle.Any)
            return text is "" or "~" or "null" or "Null" or "NULL" ? new ConfigScalar("", ScalarKind.Null) : new ConfigScalar(text, ScalarKind.Plain);
        return new ConfigScalar(text, ScalarKind.Text);
    }

    private static UsageException NotAValue(string path, string key) =>
        new($"--config {path}: '{key}' must be a value or a list of values");
}
