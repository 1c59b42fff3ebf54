using System.Net.Http.Json;
using System.Text.Json;

namespace MetaCluster.Tests.Observability;

/// <summary>A span as the dashboard's telemetry API returns it (OTLP/JSON), with the process that sent it.</summary>
public sealed record ApiSpan(string Service, string Instance, string Scope, string TraceId, string SpanId, string ParentSpanId, string Name,
    IReadOnlyDictionary<string, string> Attributes);

/// <summary>A log record as the telemetry API returns it.</summary>
public sealed record ApiLog(string Service, string Instance, string Message, string TraceId, string SpanId);

/// <summary>A process the dashboard heard from, and which signals it has of it.</summary>
public sealed record ApiResource(string Name, string InstanceId, bool HasLogs, bool HasTraces, bool HasMetrics);

/// <summary>
/// The Aspire Dashboard's HTTP telemetry API (<c>/api/telemetry/resources</c>, <c>spans</c>,
/// <c>logs</c>), read into flat records. Its answers are OTLP/JSON grouped by resource and scope.
/// </summary>
public sealed class TelemetryApi(string dashboardUrl) : IDisposable
{
    // The API answers 200 items unless asked for more.
    private const int Limit = 100_000;

    private readonly HttpClient http = new() { BaseAddress = new Uri(dashboardUrl), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Every resource (process) that sent telemetry.</summary>
    public async Task<ApiResource[]> ResourcesAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<ApiResource[]>("/api/telemetry/resources", Json, cancellationToken) ?? [];

    /// <summary>Every span the dashboard holds.</summary>
    public async Task<IReadOnlyList<ApiSpan>> SpansAsync(CancellationToken cancellationToken) =>
        ParseSpans(await GetAsync($"/api/telemetry/spans?limit={Limit}", cancellationToken));

    /// <summary>Every log record the dashboard holds.</summary>
    public async Task<IReadOnlyList<ApiLog>> LogsAsync(CancellationToken cancellationToken)
    {
        using var document = await GetAsync($"/api/telemetry/logs?limit={Limit}", cancellationToken);
        var logs = new List<ApiLog>();
        foreach (var (service, instance, scope) in Scopes(document, "resourceLogs", "scopeLogs"))
            foreach (var record in scope.GetProperty("logRecords").EnumerateArray())
                logs.Add(new ApiLog(service, instance,
                    record.TryGetProperty("body", out var body) && body.TryGetProperty("stringValue", out var text) ? text.GetString() ?? "" : "",
                    Text(record, "traceId"), Text(record, "spanId")));
        return logs;
    }

    /// <summary>The spans of an OTLP/JSON answer (<c>{"data": {"resourceSpans": …}}</c>).</summary>
    public static IReadOnlyList<ApiSpan> ParseSpans(JsonDocument document)
    {
        var spans = new List<ApiSpan>();
        using (document)
            foreach (var (service, instance, scope) in Scopes(document, "resourceSpans", "scopeSpans"))
            {
                string scopeName = scope.TryGetProperty("scope", out var s) ? Text(s, "name") : "";
                foreach (var span in scope.GetProperty("spans").EnumerateArray())
                    spans.Add(new ApiSpan(service, instance, scopeName, Text(span, "traceId"), Text(span, "spanId"), Text(span, "parentSpanId"),
                        Text(span, "name"), Attributes(span)));
            }
        return spans;
    }

    private async Task<JsonDocument> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
    }

    private static IEnumerable<(string Service, string Instance, JsonElement Scope)> Scopes(JsonDocument document, string resources, string scopes)
    {
        if (!document.RootElement.TryGetProperty("data", out var data) || !data.TryGetProperty(resources, out var list)) yield break;
        foreach (var resource in list.EnumerateArray())
        {
            var attributes = resource.TryGetProperty("resource", out var r) ? Attributes(r) : new Dictionary<string, string>();
            foreach (var scope in resource.GetProperty(scopes).EnumerateArray())
                yield return (attributes.GetValueOrDefault("service.name", ""), attributes.GetValueOrDefault("service.instance.id", ""), scope);
        }
    }

    private static Dictionary<string, string> Attributes(JsonElement owner)
    {
        var attributes = new Dictionary<string, string>();
        if (!owner.TryGetProperty("attributes", out var list)) return attributes;
        foreach (var a in list.EnumerateArray())
        {
            var value = a.GetProperty("value");
            attributes[Text(a, "key")] = value.EnumerateObject().FirstOrDefault() is { Value.ValueKind: JsonValueKind.String } v ? v.Value.GetString() ?? "" : value.ToString();
        }
        return attributes;
    }

    private static string Text(JsonElement owner, string name) => owner.TryGetProperty(name, out var v) ? v.GetString() ?? "" : "";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <inheritdoc/>
    public void Dispose() => http.Dispose();
}
