using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using MetaCluster.Learning.Evaluation;

namespace MetaCluster.Coordinator.Output;

/// <summary>summary.json: what a run was and how it did (see docs in README, "The run directory").</summary>
public sealed record RunSummary
{
    public string RunId { get; init; } = "";
    public string Task { get; init; } = "";
    public string Algorithm { get; init; } = "";
    public double TrLambda { get; init; }
    public int MetaSteps { get; init; }
    public int MetaBatch { get; init; }
    public int Ways { get; init; }
    public int Shots { get; init; }
    public int Query { get; init; }
    public int InnerSteps { get; init; }
    public double InnerLr { get; init; }
    public double OuterLr { get; init; }
    /// <summary>The outer optimiser (adam or sgd) and its options: schedule, warm-up, floor of the cosine, clipping, weight decay.</summary>
    public string OuterOptimizer { get; init; } = "adam";
    public string LrSchedule { get; init; } = "constant";
    public int WarmupSteps { get; init; }
    public double MinOuterLr { get; init; }
    public double ClipGradNorm { get; init; }
    public double WeightDecay { get; init; }
    public int Workers { get; init; }
    public int Shards { get; init; }
    public string Device { get; init; } = "cpu";
    public ulong Seed { get; init; }
    public double TrainSeconds { get; init; }
    public double TasksPerSecond { get; init; }
    public double FinalTrainLoss { get; init; }
    public long ShardRetries { get; init; }
    /// <summary>Mean milliseconds per meta-step spent in each phase (fan_out, aggregation, update; TRLearner: relation_adapt, relation_outputs, relation, relation_backward, update).</summary>
    public IReadOnlyDictionary<string, double>? StepPhaseMilliseconds { get; init; }
    public long BytesSent { get; init; }
    public long BytesReceived { get; init; }
    /// <summary>Element type the outer gradients travelled in: f32, bf16 or f16.</summary>
    public string GradDtype { get; init; } = "f32";
    /// <summary>fused or autograd: whether algorithms used their hand-written kernels where they have one.</summary>
    public string Kernels { get; init; } = "fused";
    /// <summary>Shards per pre-reduction group (1: none).</summary>
    public int ReduceGroup { get; init; } = 1;
    /// <summary>Fan-in of the reduction tree (1: none).</summary>
    public int ReduceTree { get; init; } = 1;
    /// <summary>Gradient elements sent as ±65504 because they were beyond float16's range (f16 only).</summary>
    public long GradientSaturated { get; init; }
    /// <summary>With --resume: where the run continued from (and which newer checkpoints did not verify), or that it found none and started fresh.</summary>
    public string? Resume { get; init; }
    public EvaluationReport? Eval { get; init; }
    /// <summary>With --val-every: the validation split, its schedule and the best validation.</summary>
    public ValidationSummary? Validation { get; init; }
    /// <summary>Which parameters the final evaluation scored: best.ckpt (step N) when the run validated, else the final ones.</summary>
    public string? EvaluatedCheckpoint { get; init; }
    /// <summary>The software and machine that ran the run.</summary>
    public RunEnvironment? Environment { get; init; }
}

/// <summary>The eval object of summary.json and eval.json.</summary>
public sealed record EvaluationReport(string Metric, int Episodes, IReadOnlyList<EvaluationPoint> Results);

/// <summary>
/// The metric after a number of inner steps: mean and 95% confidence half-width over the tasks
/// whose metric is finite, and how many were not (<see cref="Diverged"/>: their adaptation blew up).
/// One diverged task would otherwise make the mean NaN or 1e30 and hide how the others did; when
/// every task diverged, mean and interval are null.
/// </summary>
public sealed record EvaluationPoint(int InnerSteps, double? Mean, double? Ci95, int Diverged = 0)
{
    /// <summary>Summarises the per-task <paramref name="values"/> after <paramref name="innerSteps"/> steps.</summary>
    public static EvaluationPoint Of(int innerSteps, IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values to summarise", nameof(values));
        var finite = values.Where(double.IsFinite).ToArray();
        int diverged = values.Count - finite.Length;
        if (finite.Length == 0) return new EvaluationPoint(innerSteps, null, null, diverged);
        var summary = MeanWithInterval.Of(finite);
        return new EvaluationPoint(innerSteps, summary.Mean, summary.Ci95, diverged);
    }

    /// <summary>"mean ± ci" with four decimals, and the diverged tasks when there are any (out of <paramref name="tasks"/>).</summary>
    public string Describe(int tasks)
    {
        var c = CultureInfo.InvariantCulture;
        if (Mean is not { } mean || Ci95 is not { } ci) return string.Create(c, $"all {Diverged} of {tasks} task(s) diverged (non-finite metric)");
        string text = string.Create(c, $"{mean:0.0000} ± {ci:0.0000}");
        return Diverged == 0 ? text : string.Create(c, $"{text} ({Diverged} of {tasks} task(s) diverged, left out)");
    }
}

/// <summary>One line of metrics.jsonl.</summary>
/// <remarks><see cref="Validation"/>: the validation metric (the same metric) on lines of steps that validated; absent on others.</remarks>
public sealed record MetricsLine(long Step, double Loss, string Metric, double Value, double TasksPerSecond, int Workers, double ElapsedSeconds, int Retries,
    double? TrLoss = null, double? RelationEntropy = null, double? Validation = null);

/// <summary>The JSON conventions of the run directory: snake_case names, indented summaries.</summary>
public static class RunJson
{
    /// <summary>For summary.json and eval.json.</summary>
    public static JsonSerializerOptions Indented { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>For metrics.jsonl.</summary>
    public static JsonSerializerOptions Line { get; } = new(Indented) { WriteIndented = false };
}
