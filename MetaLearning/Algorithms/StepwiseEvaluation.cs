using static TorchSharp.torch;

namespace MetaCluster.Learning.Algorithms;

/// <summary>
/// Meta-test adaptation without an outer graph: take inner steps one at a time (each step's
/// weights detached), and record every task's query metric at the requested step counts.
/// </summary>
internal static class StepwiseEvaluation
{
    /// <param name="start">Per-task weights [T, …] before adaptation.</param>
    /// <param name="adapted">The entries the inner loop changes (they need gradients).</param>
    /// <param name="step">One inner step from the current weights.</param>
    /// <param name="metric">The query metric of each task, [T], under the given weights.</param>
    /// <param name="innerSteps">The step counts to record, in any order.</param>
    /// <param name="outputs">The query outputs under the given weights, kept after the largest step count (adapt-and-predict).</param>
    public static EvaluationOutcome Run(Tensor[] start, int[] adapted, Func<Tensor[], Tensor[]> step,
        Func<Tensor[], Tensor> metric, IReadOnlyList<int> innerSteps, Func<Tensor[], Tensor>? outputs = null)
    {
        if (innerSteps.Any(s => s < 0)) throw new ArgumentException("inner step counts must not be negative");
        int tasks = (int)start[0].shape[0];
        var metrics = new double[tasks, innerSteps.Count];
        int most = innerSteps.Count == 0 ? 0 : innerSteps.Max();
        using var scope = NewDisposeScope();
        var fast = Detached(start, adapted);
        for (int s = 0; ; s++)
        {
            if (innerSteps.Contains(s))
            {
                double[] values;
                using (no_grad())
                    values = metric(fast).to(ScalarType.Float64).cpu().data<double>().ToArray();
                for (int j = 0; j < innerSteps.Count; j++)
                    if (innerSteps[j] == s)
                        for (int i = 0; i < tasks; i++) metrics[i, j] = values[i];
            }
            if (s == most)
            {
                if (outputs is null) break;
                using (no_grad())
                {
                    var predicted = outputs(fast).to(ScalarType.Float32).cpu().contiguous();
                    return new EvaluationOutcome(metrics) { Predictions = predicted.data<float>().ToArray(), PredictionShape = predicted.shape };
                }
            }
            using var stepScope = NewDisposeScope();
            var next = Detached(step(fast), adapted);
            foreach (var w in next) w.MoveToOuterDisposeScope();
            // Only the latest weights are needed; without this, memory would grow with the step count.
            foreach (var w in fast) w.Dispose();
            fast = next;
        }
        return new EvaluationOutcome(metrics);
    }

    private static Tensor[] Detached(Tensor[] weights, int[] adapted) =>
        weights.Select((w, e) => adapted.Contains(e) ? w.detach().clone().requires_grad_(true) : w.detach()).ToArray();
}
