using System.Diagnostics;

namespace MetaCluster.ServiceDefaults.Telemetry;

/// <summary>
/// The cluster's trace sources, one per component. A meta-step is one trace:
/// <c>run</c> → <c>meta-step</c> (coordinator) → <c>shard</c> (worker) → <c>inner-loop</c>,
/// <c>outer-backward</c>, <c>parameters.fetch</c> and <c>result.send</c>.
/// </summary>
public static class ClusterTelemetry
{
    /// <summary>Name of the coordinator's source: runs, meta-steps, shard assignments, aggregation, update.</summary>
    public const string CoordinatorSourceName = "MetaCluster.Coordinator";

    /// <summary>Name of the workers' source: shards, tensor transfer.</summary>
    public const string TaskWorkerSourceName = "MetaCluster.TaskWorker";

    /// <summary>Name of the learning library's own source (inner loops, outer backward, fused kernels): <c>MetaCluster.Learning.Diagnostics.LearningTelemetry.SourceName</c>.</summary>
    public const string LearningSourceName = "MetaCluster.Learning";

    /// <summary>The meter every component records on (the coordinator's runs, the workers, the data plane).</summary>
    public const string MeterName = "MetaCluster";

    /// <summary>The coordinator's spans.</summary>
    public static ActivitySource CoordinatorSource { get; } = new(CoordinatorSourceName, Version);

    /// <summary>The workers' spans.</summary>
    public static ActivitySource TaskWorkerSource { get; } = new(TaskWorkerSourceName, Version);

    private static string Version => typeof(ClusterTelemetry).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    /// <summary>Attribute names shared by both components, so a backend can join on them.</summary>
    public static class Attributes
    {
        /// <summary>The run's id.</summary>
        public const string RunId = "metacluster.run_id";
        /// <summary>The meta-step (0-based).</summary>
        public const string Step = "metacluster.step";
        /// <summary>The shard within the step.</summary>
        public const string Shard = "metacluster.shard";
        /// <summary>The shard's attempt number.</summary>
        public const string Attempt = "metacluster.attempt";
        /// <summary>The worker grain's id.</summary>
        public const string Worker = "metacluster.worker";
        /// <summary>The torch device.</summary>
        public const string Device = "metacluster.device";
        /// <summary>Tasks in the span's unit of work.</summary>
        public const string Tasks = "metacluster.tasks";
        /// <summary>Bytes moved by the span.</summary>
        public const string Bytes = "metacluster.bytes";
        /// <summary>Train or evaluate.</summary>
        public const string Mode = "metacluster.mode";
        /// <summary>Workers alive when the step started.</summary>
        public const string Workers = "metacluster.workers";
        /// <summary>The phase of a meta-step a duration belongs to (<c>fan_out</c>, <c>aggregation</c>, <c>update</c>, …).</summary>
        public const string Phase = "metacluster.phase";
        /// <summary>The name of an evaluation metric (<c>mse</c>, <c>accuracy</c>).</summary>
        public const string Metric = "metacluster.metric";
        /// <summary>Inner steps after which an evaluation metric was measured.</summary>
        public const string InnerSteps = "metacluster.inner_steps";
    }

    /// <summary>The W3C <c>traceparent</c> of the current span, or "" when there is none (carried in <c>ShardRequest.trace_parent</c>).</summary>
    public static string CurrentTraceParent() => Activity.Current is { } a && a.IdFormat == ActivityIdFormat.W3C ? a.Id ?? "" : "";

    /// <summary>
    /// The parent of a worker's shard span: the ambient span when Orleans propagated one through the
    /// grain call, else the one the coordinator wrote into the request.
    /// </summary>
    public static ActivityContext ShardParent(string traceParent)
    {
        if (Activity.Current is { } current) return current.Context;
        return ActivityContext.TryParse(traceParent, null, isRemote: true, out var parent) ? parent : default;
    }
}
