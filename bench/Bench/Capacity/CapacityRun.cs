using System.Diagnostics;
using System.Runtime;
using MetaCluster.Bench.Loopback;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Learning.Optimisation;
using static TorchSharp.torch;

namespace MetaCluster.Bench.Capacity;

/// <summary>
/// Measures one capacity point: the coordinator's meta-step loop as a run executes it (publish θ,
/// open the step's collector, wait for every shard's gradient folded in shard order, divide by the
/// meta-batch, apply Adam), against a <see cref="SimulatedWorkerProcess"/> whose W workers fetch θ
/// and stream their gradients but compute nothing. By default each simulated worker fetches θ
/// itself, as one worker process per GPU would: the coordinator serves W copies per step, its worst
/// case; with <see cref="CapacityPoint.WorkersPerProcess"/> = k, one in k fetches, as when k
/// workers (GPUs) share a process and its parameter cache; with
/// <see cref="CapacityPoint.ReduceGroup"/> = g, each g workers send one pre-reduced gradient; with
/// <see cref="CapacityPoint.ReduceTree"/> = f, each f groups reach the coordinator as one result and
/// one θ fetch, as through a worker process's relay (the simulated process sums the g·f gradients
/// itself: the coordinator's side of the exchange is the tree's, the workers' side is not modelled);
/// and when that relay's result is the whole step (<see cref="CapacityPoint.ReplaysUpdate"/>), the
/// coordinator publishes each update's recipe and the simulated relay replays it on its own replica
/// of θ and Adam, checked against the digest, instead of fetching θ.
/// </summary>
public static class CapacityRun
{
    /// <summary>
    /// Runs unmeasured steps, at least <paramref name="warmup"/> and for at least
    /// <paramref name="warmupTime"/> (the JIT's tiered compilation of Kestrel, gRPC and this code
    /// goes on for seconds: measured after two steps, a small point's CPU per step is mostly the
    /// compiler's), then <paramref name="steps"/> measured ones.
    /// </summary>
    public static async Task<CapacityMeasurement> MeasureAsync(LoopbackDataPlane plane, CapacityPoint point, int warmup, int steps, CancellationToken cancellationToken,
        TimeSpan warmupTime = default)
    {
        string runId = $"capacity-{Guid.NewGuid():N}"[..20];
        int p = point.Elements, w = point.Workers;
        // Generous: the slowest loopback transfer seen is far above 50 MB/s.
        var timeout = TimeSpan.FromSeconds(60 + 2.0 * p * sizeof(float) * w / 50e6);

        using TorchSharp.Scalar scale = 0.01;
        using var theta = randn(p, ScalarType.Float32).mul_(scale);
        using var adam = new Adam(0.001);
        // Relays may copy the moments; nothing updates Adam while they do (the step loop below waits for the load process).
        plane.Publisher.ShareOptimizerState(runId, optimizerStep => adam.Step != optimizerStep ? null
            : adam.FirstMoment is null ? (null, null) : (adam.FirstMoment.bytes.ToArray(), adam.SecondMoment!.bytes.ToArray()));
        await using var load = await SimulatedWorkerProcess.StartAsync(plane.Url, runId, point, cancellationToken);

        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        long baseline = Environment.WorkingSet;

        var stepSeconds = new List<double>();
        var coordinatorCpu = new List<double>();
        var workerCpu = new List<double>();
        var publish = new List<double>();
        var update = new List<double>();
        var allocated = new List<double>();
        var gen2 = new List<double>();
        long wireBytes = 0, parameterBytes = 0;
        double lastWorkerCpu = double.NaN;
        ResourceSampler sampler = new(TimeSpan.FromMilliseconds(20));
        var warmupClock = Stopwatch.StartNew();
        try
        {
            for (int step = 0; step < warmup + steps; step++)
            {
                // Warm-up ends after the warm-up steps and the warm-up time, whichever is later.
                if (step == warmup && warmupClock.Elapsed < warmupTime) warmup++;
                var cpuBefore = Environment.CpuUsage.TotalTime;
                long allocatedBefore = GC.GetTotalAllocatedBytes();
                int gen2Before = GC.CollectionCount(2);
                long start = Stopwatch.GetTimestamp();

                // Step 0's version is published here; each later one by the update before it.
                if (step == 0) plane.Publisher.Publish(runId, step, theta, p, adam.Step);
                long published = Stopwatch.GetTimestamp();

                var kind = point.WorkersPerResult > 1 ? Protos.DataPlane.V1.ShardResultHeader.ResultOneofCase.TrainGroup : Protos.DataPlane.V1.ShardResultHeader.ResultOneofCase.Train;
                var collector = plane.Inbox.Open(runId, step, kind, w, p, point.WorkersPerResult);
                for (int unit = 0; unit < collector.Units; unit++) collector.Assign(unit, attempt: 0);
                await load.StartStepAsync(step);
                // The workers answer once every shard's result is acknowledged: all are folded in.
                var report = await load.WaitAsync(step, timeout, cancellationToken);
                if (collector.Gradient is not { IsComplete: true } gradient) throw new InvalidOperationException($"step {step}: the workers finished but not every shard was folded in");
                long gathered = Stopwatch.GetTimestamp();

                var sole = point.ReplaysUpdate ? new Protos.DataPlane.V1.ShardKey { RunId = runId, Step = step, Shard = 0, Attempt = 0 } : null;
                using (var sum = gradient.TakeSum())
                    plane.Publisher.UpdateAndPublish(runId, step + 1, adam, theta, sum.Values, w, p, sole);
                plane.Inbox.Close(collector);
                long end = Stopwatch.GetTimestamp();
                var cpuAfter = Environment.CpuUsage.TotalTime;

                if (step >= warmup)
                {
                    stepSeconds.Add(Stopwatch.GetElapsedTime(start, end).TotalSeconds);
                    coordinatorCpu.Add((cpuAfter - cpuBefore).TotalSeconds);
                    workerCpu.Add(report.CpuSeconds - lastWorkerCpu);
                    publish.Add(Stopwatch.GetElapsedTime(start, published).TotalSeconds);
                    update.Add(Stopwatch.GetElapsedTime(gathered, end).TotalSeconds);
                    allocated.Add(GC.GetTotalAllocatedBytes() - allocatedBefore);
                    gen2.Add(GC.CollectionCount(2) - gen2Before);
                    wireBytes = report.GradientBytes;
                    parameterBytes = report.ParameterBytes;
                }
                lastWorkerCpu = report.CpuSeconds;
            }
        }
        finally
        {
            await sampler.DisposeAsync();
            plane.Publisher.Remove(runId);
        }
        return new CapacityMeasurement(point, stepSeconds, coordinatorCpu, workerCpu, publish, update, allocated, gen2,
            wireBytes, parameterBytes, baseline, sampler.PeakWorkingSet, sampler.PeakManagedHeap);
    }
}
