namespace MetaCluster.Tests.Observability;

/// <summary>
/// What a traced meta-step must look like in a backend: one trace rooted at the coordinator's
/// <c>meta-step</c>, every parent link resolving inside the trace, and in each worker process a
/// <c>shard</c> span whose ancestors lead through the coordinator's <c>shard.assign</c> to the root.
/// </summary>
public static class StepTraceCheck
{
    /// <summary>What is wrong with <paramref name="trace"/> (empty when nothing is).</summary>
    /// <param name="trace">The spans of one trace, from every process.</param>
    /// <param name="coordinator">The coordinator's <c>service.instance.id</c>.</param>
    /// <param name="workers">Each worker process's <c>service.instance.id</c>.</param>
    public static IReadOnlyList<string> Problems(IReadOnlyList<ApiSpan> trace, string coordinator, IReadOnlyCollection<string> workers)
    {
        var problems = new List<string>();
        var byId = trace.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        var roots = trace.Where(s => s.ParentSpanId.Length == 0).ToArray();
        if (roots is not [{ Name: "meta-step" } root] || root.Instance != coordinator)
        {
            problems.Add($"expected one root, the coordinator's meta-step; found [{string.Join(", ", roots.Select(r => $"{r.Instance}:{r.Name}"))}]");
            return problems;
        }
        foreach (var orphan in trace.Where(s => s.ParentSpanId.Length > 0 && !byId.ContainsKey(s.ParentSpanId)))
            problems.Add($"{orphan.Instance}:{orphan.Name} names parent {orphan.ParentSpanId}, which is not in the trace");
        foreach (string worker in workers)
        {
            var shards = trace.Where(s => s.Instance == worker && s.Name == "shard").ToArray();
            if (shards.Length == 0) problems.Add($"no shard span of worker process {worker}");
            foreach (var shard in shards)
            {
                var path = Ancestors(shard, byId).ToArray();
                bool assigned = path.Any(s => s.Instance == coordinator && s.Name == "shard.assign");
                if (!assigned || path[^1].SpanId != root.SpanId)
                    problems.Add($"shard {shard.SpanId} of {worker} does not lead to the meta-step through shard.assign: {string.Join(" <- ", path.Select(s => $"{s.Instance}:{s.Name}"))}");
            }
        }
        return problems;
    }

    /// <summary>The trace ids of meta-steps whose traces hold spans of every process in <paramref name="instances"/>.</summary>
    public static IEnumerable<string> StepTraces(IReadOnlyList<ApiSpan> spans, IReadOnlyCollection<string> instances) =>
        spans.Where(s => s.Name == "meta-step" && s.ParentSpanId.Length == 0).Select(s => s.TraceId).Distinct()
            .Where(id => instances.All(i => spans.Any(s => s.TraceId == id && s.Instance == i)));

    private static IEnumerable<ApiSpan> Ancestors(ApiSpan span, Dictionary<string, ApiSpan> byId)
    {
        for (ApiSpan? s = span; s is not null; s = s.ParentSpanId.Length == 0 ? null : byId.GetValueOrDefault(s.ParentSpanId))
            yield return s;
    }
}
