using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace MetaCluster.Tests.Deploy;

/// <summary>Paths of the deployment files, found from the repository root (the folder holding Cluster.sln).</summary>
internal static class DeployFiles
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    public static string RepositoryRoot => Root.Value;

    public static string ChartDirectory => Path.Combine(RepositoryRoot, "helm", "metacluster");

    public static string ChartTemplates => Path.Combine(ChartDirectory, "templates");

    public static string DeployDirectory => Path.Combine(RepositoryRoot, "Deploy");

    public static string InRepository(params string[] parts) => Path.Combine([RepositoryRoot, .. parts]);

    public static string Read(params string[] parts) => File.ReadAllText(InRepository(parts));

    /// <summary>The chart's values.yaml as a JSON tree, the shape Helm validates against values.schema.json.</summary>
    public static JsonObject ChartValues() =>
        (JsonObject)YamlJson.Parse(File.ReadAllText(Path.Combine(ChartDirectory, "values.yaml")))!;

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cluster.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no folder above {AppContext.BaseDirectory} contains Cluster.sln");
    }
}

/// <summary>
/// Reads YAML into System.Text.Json nodes with YAML 1.1 core scalars (what Helm's and Compose's
/// parsers produce for these files): plain true/false, integers, floats and null are typed,
/// quoted scalars stay strings, and merge keys (<c>&lt;&lt;: *anchor</c>) are applied.
/// </summary>
internal static class YamlJson
{
    public static JsonNode? Parse(string yaml) => ParseAll(yaml).Single();

    /// <summary>Every document of a multi-document stream (e.g. helm template output); empty documents are null.</summary>
    public static IReadOnlyList<JsonNode?> ParseAll(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Select(d => Convert(d.RootNode)).ToList();
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping => ConvertMapping(mapping),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => ConvertScalar(scalar),
        _ => throw new NotSupportedException($"YAML node {node.NodeType} at {node.Start}"),
    };

    private static JsonObject ConvertMapping(YamlMappingNode mapping)
    {
        var result = new JsonObject();
        var merged = new List<YamlMappingNode>();
        foreach (var (key, value) in mapping.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? "";
            if (name == "<<")
            {
                merged.AddRange(value switch
                {
                    YamlMappingNode one => [one],
                    YamlSequenceNode many => many.Children.Cast<YamlMappingNode>(),
                    _ => throw new FormatException($"merge key at {key.Start} must name a mapping"),
                });
                continue;
            }
            result[name] = Convert(value);
        }
        // Keys written in the mapping itself win over merged ones.
        foreach (var source in merged)
        {
            foreach (var (key, value) in ConvertMapping(source))
            {
                if (!result.ContainsKey(key))
                {
                    result[key] = value?.DeepClone();
                }
            }
        }
        return result;
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not YamlDotNet.Core.ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }
        if (long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var real))
        {
            return JsonValue.Create(real);
        }
        return JsonValue.Create(text);
    }
}
