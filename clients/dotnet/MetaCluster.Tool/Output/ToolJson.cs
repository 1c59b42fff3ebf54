using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MetaCluster.Client;

namespace MetaCluster.Tool.Output;

/// <summary>
/// <c>--output json</c>: snake_case names as in the run directory's files, states as their lower-case
/// names, durations in seconds. A document per command; watch writes one object per line.
/// </summary>
public static class ToolJson
{
    private static readonly JsonSerializerOptions Document = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };

    private static readonly JsonSerializerOptions Line = new(Document) { WriteIndented = false };

    /// <summary>Writes one (indented) JSON document.</summary>
    public static void WriteDocument(TextWriter output, object value) => output.WriteLine(JsonSerializer.Serialize(value, Document));

    /// <summary>Writes one JSON object on one line (JSON Lines).</summary>
    public static void WriteLine(TextWriter output, object value)
    {
        output.WriteLine(JsonSerializer.Serialize(value, Line));
        output.Flush();
    }

    /// <summary>A progress update (<c>"type": "progress"</c> in a stream of events).</summary>
    public static object ProgressEvent(RunProgress p) => new
    {
        Type = "progress", p.RunId, p.Name, State = p.State.ToDisplayName(), p.Step, p.MetaSteps, Loss = Finite(p.Loss), p.TasksPerSecond, p.Workers,
        ElapsedSeconds = p.Elapsed.TotalSeconds, EtaSeconds = p.Eta.TotalSeconds,
    };

    /// <summary>A run's end (<c>"type": "result"</c>), with its summary.json as an object.</summary>
    public static object ResultEvent(RunResult r) => new { Type = "result", r.RunId, State = r.State.ToDisplayName(), r.Error, Summary = Parse(r.SummaryJson) };

    /// <summary>One run of a listing.</summary>
    public static object Run(RunProgress p) => new
    {
        p.RunId, p.Name, State = p.State.ToDisplayName(), p.Step, p.MetaSteps, Loss = Finite(p.Loss), p.TasksPerSecond, p.Workers,
        ElapsedSeconds = p.Elapsed.TotalSeconds,
    };

    /// <summary>A number, or null where there is none yet (the loss before the first step is NaN).</summary>
    public static double? Finite(double value) => double.IsFinite(value) ? value : null;

    /// <summary>summary.json as a JSON object, or null when there is none.</summary>
    public static JsonNode? Parse(string json) => string.IsNullOrWhiteSpace(json) ? null : JsonNode.Parse(json);
}
