using System.Diagnostics;
using MetaCluster.Bench.Measurement;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Learning.Optimisation;
using MetaCluster.Learning.Tasks;
using MetaCluster.TaskWorker.Execution;
using TorchSharp;
using static TorchSharp.torch;
using MetaCluster.Abstractions;

namespace MetaCluster.Bench.Throughput;

/// <summary>
/// The learning work of a run without the cluster: per meta-step, rebuild the meta-batch's tasks
/// (as a worker does, from seed, step and index), the algorithm's <c>ComputeShard</c> over all of
/// them as one shard, divide by T and apply Adam (as the coordinator does). No Orleans, no gRPC,
/// no copies to the wire: the difference to the cluster figure is the cluster's overhead.
/// Steps are numbered from 0 like a run's, so step s meets the same tasks as the run's step s.
/// On a GPU, θ and Adam stay on the CPU as on the coordinator, and each step copies θ to the device
/// and the gradient back, as a worker does.
/// </summary>
public sealed class ComputeOnlyLoop : IDisposable
{
    private readonly ResolvedRunSpec resolved;
    private readonly RunDefinition run;
    private readonly long[] taskIndices;
    private readonly Tensor theta;
    private readonly Adam adam;
    private readonly Device device;
    private long step;

    /// <summary>Builds the family, model and algorithm the worker would resolve for <paramref name="run"/>, and θ from its seed.</summary>
    public ComputeOnlyLoop(RunDefinition run, string device = "cpu")
    {
        this.run = run;
        this.device = TorchSharp.torch.device(device);
        resolved = ResolvedRunSpec.From(run.ToSpec());
        taskIndices = Enumerable.Range(0, run.MetaBatch).Select(i => (long)i).ToArray();
        theta = resolved.Algorithm.InitializeMetaParameters(resolved.Model, run.Seed);
        adam = new Adam(run.OuterLr);
    }

    /// <summary>The mean query loss of the last step.</summary>
    public double LastLoss { get; private set; } = double.NaN;

    /// <summary>Runs one meta-step.</summary>
    public void Step()
    {
        Tensor gradient;
        using (NewDisposeScope())
        {
            using var batch = resolved.Family.Sample(run.Seed, TaskStream.Train, step, taskIndices, resolved.TrainShape);
            using var onDevice = batch.To(theta.dtype, device);
            var thetaHere = device.type == DeviceType.CPU ? theta : theta.to(device);
            var outcome = resolved.Algorithm.ComputeShard(resolved.Model, thetaHere, onDevice);
            LastLoss = outcome.TaskLosses.Average();
            using TorchSharp.Scalar metaBatch = run.MetaBatch;
            gradient = outcome.GradientSum.cpu().div(metaBatch).DetachFromDisposeScope();
        }
        // Adam's moments live across steps, so the update stays outside the step's dispose scope.
        using (gradient) adam.Apply(theta, gradient);
        step++;
    }

    /// <summary>
    /// <see cref="BenchPlan.Warmup"/> untimed steps (whose later half sets the steps per
    /// repetition), then the timed repetitions.
    /// </summary>
    public ThroughputMeasurement Measure(BenchPlan plan, CancellationToken cancellationToken)
    {
        var warm = new double[plan.Warmup];
        for (int i = 0; i < warm.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            Step();
            warm[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        int steps = plan.StepsFor(BenchFigure.MedianOf(warm.Length < 4 ? warm : warm[(warm.Length / 2)..]));
        var repetitions = new double[plan.Repetitions];
        for (int r = 0; r < repetitions.Length; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < steps; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Step();
            }
            repetitions[r] = steps * (double)run.MetaBatch / Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        if (!double.IsFinite(LastLoss)) throw new InvalidOperationException($"the compute-only loop's loss became {LastLoss}");
        return new ThroughputMeasurement(repetitions, plan.Warmup, steps, LastLoss);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        theta.Dispose();
        adam.Dispose();
    }
}
