using MetaCluster.Abstractions;
using MetaCluster.Learning.Optimisation;
using MetaCluster.Learning.Tasks;
using MetaCluster.Protos.DataPlane.V1;
using static TorchSharp.torch;

namespace MetaCluster.TaskWorker.Execution;

/// <summary>A training shard's numbers, as plain arrays ready for the wire.</summary>
/// <param name="Gradient">Σ over the shard's tasks of the outer gradient, flat.</param>
/// <param name="TaskLosses">Each task's query loss under its adapted parameters.</param>
/// <param name="TaskMetrics">Each task's query metric under its adapted parameters.</param>
public sealed record TrainNumbers(float[] Gradient, double[] TaskLosses, double[] TaskMetrics);

/// <summary>
/// Runs a shard's learning work synchronously on the calling thread: rebuilds the tasks, adapts
/// them, and copies the results out of libtorch. Dispose scopes are thread-static, so this never
/// awaits.
/// </summary>
public static class ShardComputation
{
    /// <summary>
    /// Training: the outer gradient of <paramref name="tasks"/> of step <paramref name="step"/>, with
    /// meta-parameters <paramref name="theta"/>; <see cref="DeterministicWorkException"/> naming the
    /// step when a loss or the gradient is not finite.
    /// </summary>
    public static TrainNumbers Train(ResolvedRunSpec resolved, RunSpec spec, long step, IReadOnlyList<long> tasks, Tensor theta, Device device)
    {
        using var scope = NewDisposeScope();
        using var batch = resolved.Family.Sample(spec.Seed, TaskStream.Train, step, tasks, resolved.TrainShape);
        using var onDevice = batch.To(theta.dtype, device);
        var outcome = resolved.Algorithm.ComputeShard(resolved.Model, theta, onDevice);
        var gradient = outcome.GradientSum.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        // The data plane refuses non-finite results (as it would a forged one, and retries them);
        // a diverged step is the same on every worker, so it fails the run at once with its line.
        if (TrainingDivergence.Problem(step, outcome.TaskLosses, gradient) is { } diverged) throw new DeterministicWorkException(diverged);
        return new TrainNumbers(gradient, outcome.TaskLosses, outcome.TaskMetrics);
    }

    /// <summary>
    /// Evaluation: each task's metric after each of the work's inner-step counts (the spec's when it
    /// names none), [tasks, counts] row-major, on the evaluation tasks or, for a validation round,
    /// the validation tasks. Both are keyed by their index alone: every round sees the same tasks.
    /// </summary>
    public static double[] Evaluate(ResolvedRunSpec resolved, RunSpec spec, EvaluateWork work, IReadOnlyList<long> tasks, Tensor theta, Device device)
    {
        using var scope = NewDisposeScope();
        var stream = work.Validation ? TaskStream.Validation : TaskStream.Evaluation;
        IReadOnlyList<int> innerSteps = work.InnerSteps.Count > 0 ? work.InnerSteps : spec.EvalInnerSteps;
        using var batch = resolved.Family.Sample(spec.Seed, stream, 0, tasks, resolved.EvaluationShape);
        using var onDevice = batch.To(theta.dtype, device);
        var evaluation = resolved.Algorithm.Evaluate(resolved.Model, theta, onDevice, innerSteps);
        return evaluation.Metrics.Cast<double>().ToArray();
    }
}
