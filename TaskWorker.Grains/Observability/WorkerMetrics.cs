using System.Diagnostics.Metrics;
using MetaCluster.ServiceDefaults.Telemetry;

namespace MetaCluster.TaskWorker.Observability;

/// <summary>The workers' instruments, on the cluster's meter.</summary>
public static class WorkerMetrics
{
    private static readonly Meter Meter = new(ClusterTelemetry.MeterName);
    private static readonly Histogram<double> ShardCompute = Meter.CreateHistogram<double>(
        "metacluster.shard.compute.duration", "s", "Worker time to compute one shard's work (adapt its tasks, and the outer gradient in training)",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });

    /// <summary>Records a worker's compute time for one shard's work of a kind (train, evaluate, predict).</summary>
    public static void RecordShardCompute(string device, string kind, double seconds) =>
        ShardCompute.Record(seconds, new(ClusterTelemetry.Attributes.Device, device), new(ClusterTelemetry.Attributes.Mode, kind));
}
