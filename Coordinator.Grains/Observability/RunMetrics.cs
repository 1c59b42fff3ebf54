using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

using MetaCluster.ServiceDefaults.Telemetry;

namespace MetaCluster.Coordinator.Observability;

/// <summary>
/// The coordinator's instruments of its runs, on the cluster's meter (<see cref="ClusterTelemetry.MeterName"/>).
/// Gauges of a run are kept per run id and reported through observable instruments, so a scrape
/// sees each live run's latest value, until the run ends (<see cref="Forget"/>).
/// </summary>
public static class RunMetrics
{
    private static readonly Meter Meter = new(ClusterTelemetry.MeterName);
    private static readonly ConcurrentDictionary<string, RunGauges> Runs = new(StringComparer.Ordinal);

    private static readonly Histogram<double> StepPhaseDuration = Meter.CreateHistogram<double>(
        "metacluster.step.duration", "s", "Time of one phase of a meta-step: fan_out (workers compute), aggregation, update",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
    private static readonly Counter<long> TasksDone = Meter.CreateCounter<long>("metacluster.tasks", "{task}", "Tasks of meta-steps completed");
    private static readonly Counter<long> StepsDone = Meter.CreateCounter<long>("metacluster.steps", "{step}", "Meta-steps completed");
    private static readonly Counter<long> Retries = Meter.CreateCounter<long>("metacluster.shard.retries", "{retry}", "Shards reassigned after a failure, timeout or rejected result");

    static RunMetrics()
    {
        Meter.CreateObservableGauge("metacluster.meta_train.loss", () => Observe(g => g.Loss), description: "Mean query loss of the latest meta-step's tasks, before the update");
        Meter.CreateObservableGauge("metacluster.meta_train.metric", () => Observe(g => g.Metric), description: "Training metric of the latest meta-step (mse or accuracy)");
        Meter.CreateObservableGauge("metacluster.tasks_per_second", () => Observe(g => g.TasksPerSecond), "{task}/s", "Meta-training throughput of the run so far");
        Meter.CreateObservableGauge("metacluster.workers.alive", () => Observe(g => g.Workers), "{worker}", "Live workers at the latest meta-step");
        Meter.CreateObservableGauge("metacluster.relation.entropy", () => Observe(g => g.RelationEntropy), description: "Mean row entropy of the TRLearner relation matrix (nats)");
        Meter.CreateObservableGauge("metacluster.eval.metric", ObserveEvaluation, description: "Evaluation metric after a number of inner steps (mean over held-out tasks)");
    }

    /// <summary>Phases of a meta-step for <c>metacluster.step.duration</c>.</summary>
    public static class Phases
    {
        /// <summary>Shards out to workers until every result is in (workers compute).</summary>
        public const string FanOut = "fan_out";
        /// <summary>The part of fan-out the slowest shard spent computing (summary.json only); the rest is what the cluster costs: grain calls, θ and gradients over gRPC, waiting.</summary>
        public const string FanOutCompute = "fan_out_compute";
        /// <summary>Mean of the gradient sums and of the losses.</summary>
        public const string Aggregation = "aggregation";
        /// <summary>The optimiser's update of θ.</summary>
        public const string Update = "update";
        /// <summary>TRLearner phase 1: workers adapt, keep their graphs, return task embeddings and meta-data.</summary>
        public const string RelationAdapt = "relation_adapt";
        /// <summary>TRLearner phase 1, second half: workers evaluate their adapted models on the pooled meta-data.</summary>
        public const string RelationOutputs = "relation_outputs";
        /// <summary>TRLearner on the coordinator: similarity layer, relation matrix, L_TR and the upstream gradients.</summary>
        public const string Relation = "relation";
        /// <summary>TRLearner phase 2: workers backpropagate the upstream gradients through the kept graphs.</summary>
        public const string RelationBackward = "relation_backward";
    }

    /// <summary>Records how long one phase of a step took.</summary>
    public static void RecordStepPhase(string runId, string phase, TimeSpan elapsed) =>
        StepPhaseDuration.Record(elapsed.TotalSeconds, new(ClusterTelemetry.Attributes.RunId, runId), new(ClusterTelemetry.Attributes.Phase, phase));

    /// <summary>Records a finished meta-step: its loss and metric, the run's throughput, live workers and retries.</summary>
    public static void RecordStep(string runId, int tasks, double loss, double metric, double tasksPerSecond, int workers, int retries)
    {
        var run = new KeyValuePair<string, object?>(ClusterTelemetry.Attributes.RunId, runId);
        var g = Runs.GetOrAdd(runId, _ => new RunGauges());
        g.Loss = loss;
        g.Metric = metric;
        g.TasksPerSecond = tasksPerSecond;
        g.Workers = workers;
        TasksDone.Add(tasks, run);
        StepsDone.Add(1, run);
        if (retries > 0) Retries.Add(retries, run);
    }

    /// <summary>Records an evaluation result: the mean metric after <paramref name="innerSteps"/> inner steps.</summary>
    public static void RecordEvaluation(string runId, string metric, int innerSteps, double mean) =>
        Runs.GetOrAdd(runId, _ => new RunGauges()).Evaluation[(metric, innerSteps)] = mean;

    /// <summary>Records the entropy of a TRLearner relation matrix (rows are distributions over the other tasks).</summary>
    public static void RecordRelationMatrix(string runId, IReadOnlyList<IReadOnlyList<double>> matrix) =>
        Runs.GetOrAdd(runId, _ => new RunGauges()).RelationEntropy = MeanRowEntropy(matrix);

    /// <summary>Mean Shannon entropy (nats) of the rows of a row-stochastic matrix; 0 for an empty one.</summary>
    public static double MeanRowEntropy(IReadOnlyList<IReadOnlyList<double>> matrix)
    {
        if (matrix.Count == 0) return 0;
        double total = 0;
        foreach (var row in matrix)
            foreach (double p in row)
                if (p > 0) total -= p * Math.Log(p);
        return total / matrix.Count;
    }

    /// <summary>Drops a finished run's gauges, so a scrape stops reporting it.</summary>
    public static void Forget(string runId) => Runs.TryRemove(runId, out _);

    private static IEnumerable<Measurement<double>> Observe(Func<RunGauges, double> value)
    {
        foreach (var (runId, g) in Runs)
        {
            double v = value(g);
            if (double.IsFinite(v)) yield return new(v, new KeyValuePair<string, object?>(ClusterTelemetry.Attributes.RunId, runId));
        }
    }

    private static IEnumerable<Measurement<double>> ObserveEvaluation()
    {
        foreach (var (runId, g) in Runs)
            foreach (var ((metric, innerSteps), mean) in g.Evaluation)
                yield return new(mean, new(ClusterTelemetry.Attributes.RunId, runId), new(ClusterTelemetry.Attributes.Metric, metric), new(ClusterTelemetry.Attributes.InnerSteps, innerSteps));
    }

    private sealed class RunGauges
    {
        public double Loss { get; set; } = double.NaN;
        public double Metric { get; set; } = double.NaN;
        public double TasksPerSecond { get; set; } = double.NaN;
        public double Workers { get; set; } = double.NaN;
        public double RelationEntropy { get; set; } = double.NaN;
        public ConcurrentDictionary<(string Metric, int InnerSteps), double> Evaluation { get; } = new();
    }
}
