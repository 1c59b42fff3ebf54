using System.Diagnostics;
using System.Runtime;
using MetaCluster.Abstractions;
using MetaCluster.Bench.Loopback;
using MetaCluster.Bench.Simulated;
using MetaCluster.Coordinator.Observability;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Coordinator.Steps;
using MetaCluster.DataPlane.Wire;
using static TorchSharp.torch;

namespace MetaCluster.Bench.Capacity;

/// <summary>
/// Measures one capacity point: the coordinator's meta-step loop as a run executes it, with the
/// product's own parts (<see cref="RunParameters"/> publishing θ and applying Adam, the meta-step
/// that <see cref="MetaSteps"/> picks for the topology, its rounds, attempt loop
/// and collectors), against a <see cref="SimulatedWorkerProcess"/> whose W workers fetch θ and
/// stream their gradients but compute nothing. Each worker fetches θ itself by default, as one
/// worker process per GPU would: the coordinator serves W copies per step, its worst case; with
/// <see cref="CapacityPoint.WorkersPerProcess"/> = k, one in k fetches, as when k workers (GPUs)
/// share a process and its parameter cache; with <see cref="CapacityPoint.ReduceGroup"/> = g, each
/// g shards are one pre-reduction group, one assignment and one result; with
/// <see cref="CapacityPoint.ReduceTree"/> = f, each f groups meet at a relay (a session in the
/// simulated process, opened by the round) that fetches θ once and sends the coordinator one result
/// (the hop from a group to its relay is not on the wire: the coordinator's side of the exchange is
/// the tree's, the workers' side is not modelled); and when that relay's result is the whole step
/// (<see cref="CapacityPoint.ReplaysUpdate"/>), the relay replays each update from the recipe the
/// coordinator publishes, on its own replica of θ and Adam, checked against the digest, instead of
/// fetching θ. The control messages to the simulated process go per assignment (and per relay
/// session), as grain calls do, and cost the coordinator a little CPU, as grain calls would.
/// </summary>
public static class CapacityRun
{
    /// <summary>Adam's learning rate in every capacity run.</summary>
    public const double OuterLr = 0.001;

    /// <summary>θ at the start of a run of <paramref name="elements"/> parameters: small values, the same for a given size.</summary>
    public static float[] InitialTheta(int elements)
    {
        var random = new Random(5);
        var theta = new float[elements];
        for (int i = 0; i < theta.Length; i++) theta[i] = (float)((random.NextDouble() - 0.5) * 0.02);
        return theta;
    }

    /// <summary>
    /// Runs unmeasured steps, at least <paramref name="warmup"/> and for at least
    /// <paramref name="warmupTime"/> (the JIT's tiered compilation of Kestrel, gRPC and this code
    /// goes on for seconds: measured after two steps, a small point's CPU per step is mostly the
    /// compiler's), then <paramref name="steps"/> measured ones; <paramref name="probe"/>, when
    /// given, sees the run's end and may inject a failure.
    /// </summary>
    public static async Task<CapacityMeasurement> MeasureAsync(LoopbackDataPlane plane, CapacityPoint point, int warmup, int steps, CancellationToken cancellationToken,
        TimeSpan warmupTime = default, CapacityRunProbe? probe = null)
    {
        string runId = $"capacity-{Guid.NewGuid():N}"[..20];
        int p = point.Elements, w = point.Workers;
        // Generous: the slowest loopback transfer seen is far above 50 MB/s.
        var timeout = TimeSpan.FromSeconds(60 + 2.0 * p * sizeof(float) * w / 50e6);
        // One task per shard, one shard per simulated worker: the meta-batch is W.
        var definition = new RunDefinition
        {
            MetaBatch = w, Shards = w, ReduceGroup = point.ReduceGroup, ReduceTree = point.ReduceTree,
            GradDtype = GradientCodec.Name(point.WireType), OuterLr = OuterLr, ShardTimeoutSeconds = timeout.TotalSeconds,
        };
        using var parameters = RunParameters.ForParameters(runId, tensor(InitialTheta(p)), definition.OuterLr, plane.Publisher);
        var plan = new StepPlan(runId, definition.ToSpec(), w, ShardPlan.Split(w, w), parameters.ModelElements, timeout, plane.Url);
        var metaStep = plane.MetaSteps.For(definition, plan, parameters);

        var load = new LoadArguments(plane.Url, runId, w, p, point.WireType, point.WorkersPerProcess, point.Replay, probe?.FailOnce);
        await using var workers = await SimulatedWorkerProcess.StartAsync(load, cancellationToken);
        plane.Roster.Set(point);
        using var attached = plane.WorkerCalls.Attach(workers);

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
        int retries = 0, step = 0;
        var before = await workers.ReportAsync();
        ResourceSampler sampler = new(TimeSpan.FromMilliseconds(20));
        var warmupClock = Stopwatch.StartNew();
        try
        {
            for (; step < warmup + steps; step++)
            {
                // Warm-up ends after the warm-up steps and the warm-up time, whichever is later.
                if (step == warmup && warmupClock.Elapsed < warmupTime) warmup++;
                var cpuBefore = Environment.CpuUsage.TotalTime;
                long allocatedBefore = GC.GetTotalAllocatedBytes();
                int gen2Before = GC.CollectionCount(2);
                long start = Stopwatch.GetTimestamp();

                // What MetaTrainingRun does per step (step 0's version is published here, each later one by the update before it).
                parameters.Publish(step);
                long published = Stopwatch.GetTimestamp(), gathered;
                using (var trace = StepTrace.Start(default, runId, step, w))
                using (var outcome = await metaStep.RunAsync(step, trace, cancellationToken))
                {
                    gathered = Stopwatch.GetTimestamp();
                    parameters.Update(outcome, step);
                    trace.EndPhase(RunMetrics.Phases.Update);
                    retries += outcome.Retries;
                }
                long end = Stopwatch.GetTimestamp();
                var cpuAfter = Environment.CpuUsage.TotalTime;
                // Asked after the step's figures are taken: the report's round trip is not the step's.
                var after = await workers.ReportAsync();

                if (step >= warmup)
                {
                    stepSeconds.Add(Stopwatch.GetElapsedTime(start, end).TotalSeconds);
                    coordinatorCpu.Add((cpuAfter - cpuBefore).TotalSeconds);
                    workerCpu.Add(after.CpuSeconds - before.CpuSeconds);
                    publish.Add(Stopwatch.GetElapsedTime(start, published).TotalSeconds);
                    update.Add(Stopwatch.GetElapsedTime(gathered, end).TotalSeconds);
                    allocated.Add(GC.GetTotalAllocatedBytes() - allocatedBefore);
                    gen2.Add(GC.CollectionCount(2) - gen2Before);
                    wireBytes = after.GradientBytes - before.GradientBytes;
                    parameterBytes = after.ParameterBytes - before.ParameterBytes;
                }
                before = after;
            }
        }
        finally
        {
            await sampler.DisposeAsync();
            RunMetrics.Forget(runId);
        }
        if (probe is not null)
        {
            probe.Steps = step;
            probe.Retries = retries;
            probe.FinalTheta = parameters.ModelValues();
        }
        return new CapacityMeasurement(point, stepSeconds, coordinatorCpu, workerCpu, publish, update, allocated, gen2,
            wireBytes, parameterBytes, baseline, sampler.PeakWorkingSet, sampler.PeakManagedHeap);
    }
}
