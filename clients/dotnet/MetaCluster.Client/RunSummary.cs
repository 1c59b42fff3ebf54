using System.Text.Json;
using System.Text.Json.Serialization;

namespace MetaCluster.Client;

/// <summary>
/// The headline figures of a completed run's <c>summary.json</c>. The file has more (phase timings,
/// bytes moved, …): <see cref="RunResult.SummaryJson"/> keeps all of it.
/// </summary>
public sealed record RunSummary
{
    /// <summary>Task family.</summary>
    public string Task { get; init; } = "";

    /// <summary>Algorithm.</summary>
    public string Algorithm { get; init; } = "";

    /// <summary>TRLearner's λ (0: off).</summary>
    public double TrLambda { get; init; }

    /// <summary>Meta-steps trained.</summary>
    public int MetaSteps { get; init; }

    /// <summary>Tasks per meta-step.</summary>
    public int MetaBatch { get; init; }

    /// <summary>Workers that took part.</summary>
    public int Workers { get; init; }

    /// <summary>Device of the workers.</summary>
    public string Device { get; init; } = "";

    /// <summary>Run seed.</summary>
    public ulong Seed { get; init; }

    /// <summary>Seconds of meta-training.</summary>
    public double TrainSeconds { get; init; }

    /// <summary>Tasks adapted per second over the whole training.</summary>
    public double TasksPerSecond { get; init; }

    /// <summary>The last meta-training loss.</summary>
    public double FinalTrainLoss { get; init; }

    /// <summary>The held-out evaluation, when the run had one.</summary>
    public EvaluationSummary? Eval { get; init; }

    /// <summary>Reads <c>summary.json</c>; null for an empty text.</summary>
    /// <exception cref="JsonException">The text is not a summary.</exception>
    public static RunSummary? Parse(string json) =>
        string.IsNullOrWhiteSpace(json) ? null : JsonSerializer.Deserialize<RunSummary>(json, Json);

    /// <summary>The run directory's JSON conventions: snake_case names.</summary>
    internal static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}

/// <summary>The <c>eval</c> object of summary.json: the metric on held-out tasks after some inner steps.</summary>
/// <param name="Metric"><c>mse</c> (regression) or <c>accuracy</c> (a fraction in [0, 1]).</param>
/// <param name="Episodes">Held-out tasks evaluated.</param>
/// <param name="Results">One entry per number of inner steps.</param>
public sealed record EvaluationSummary(string Metric, int Episodes, IReadOnlyList<EvaluationPoint> Results);

/// <summary>The metric after <paramref name="InnerSteps"/> inner steps: mean and 95% confidence half-width.</summary>
/// <param name="InnerSteps">Inner steps of adaptation.</param>
/// <param name="Mean">Mean over the episodes.</param>
/// <param name="Ci95">1.96 · sd / √n.</param>
public sealed record EvaluationPoint(int InnerSteps, double Mean, double Ci95);
