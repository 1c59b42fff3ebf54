using System.Globalization;

namespace MetaCluster.Bench.Capacity;

/// <summary>Turns one capacity measurement into the suite's figures (medians over the measured steps).</summary>
public static class CapacityFigures
{
    /// <summary>
    /// The figures of <paramref name="m"/>. Coordinator overhead is the coordinator's CPU time per
    /// step C over the step it would lengthen, C / (T + C), with T the workers' compute time
    /// (<paramref name="computeMs"/>, assumed): every part of C (serving θ, receiving and folding
    /// gradients, Adam, publishing) lies on the step's critical path, and counting CPU time of all
    /// its threads as if serial makes it an upper bound.
    /// </summary>
    public static IReadOnlyList<BenchFigure> From(string suite, CapacityMeasurement m, double computeMs)
    {
        var c = CultureInfo.InvariantCulture;
        var config = m.Point.Configuration;
        double folded = (double)m.Point.GradientBytes * m.Point.Workers;
        var stepsPerSecond = m.StepSeconds.Select(t => 1 / t).ToArray();
        var gbPerSecond = m.StepSeconds.Select(t => folded / t / 1e9).ToArray();
        var cpuMs = m.CoordinatorCpuSeconds.Select(t => t * 1e3).ToArray();
        var overhead = cpuMs.Select(ms => 100 * ms / (computeMs + ms)).ToArray();
        double medianCpu = BenchFigure.MedianOf(m.CoordinatorCpuSeconds);
        return
        [
            new(suite, "meta-steps/s", config, "steps/s", BenchFigure.MedianOf(stepsPerSecond), stepsPerSecond,
                new Dictionary<string, double> { ["step_ms"] = BenchFigure.MedianOf(m.StepSeconds) * 1e3 },
                "wall time of a whole step with zero worker compute; coordinator and simulated workers share the machine's cores"),
            new(suite, "aggregation throughput", config, "GB/s", BenchFigure.MedianOf(gbPerSecond), gbPerSecond,
                new Dictionary<string, double>
                {
                    ["folded_gb_per_coordinator_cpu_second"] = folded / medianCpu / 1e9,
                    ["wire_gradient_mb_per_step"] = m.WireBytesPerStep / 1e6,
                    ["parameter_mb_served_per_step"] = m.ParameterBytesPerStep / 1e6,
                },
                "float32 gradient bytes folded per second of step wall time (W × 4P per step)"),
            new(suite, "coordinator CPU per step", config, "ms", BenchFigure.MedianOf(cpuMs), cpuMs,
                new Dictionary<string, double>
                {
                    ["publish_ms"] = BenchFigure.MedianOf(m.PublishSeconds) * 1e3,
                    ["update_ms"] = BenchFigure.MedianOf(m.UpdateSeconds) * 1e3,
                    ["simulated_workers_cpu_ms"] = BenchFigure.MedianOf(m.WorkerCpuSeconds) * 1e3,
                    ["allocated_mb"] = BenchFigure.MedianOf(m.AllocatedBytes) / 1e6,
                    ["gen2_collections"] = BenchFigure.MedianOf(m.Gen2Collections),
                },
                "CPU time of the coordinator process (all threads) per step; the simulated workers run in their own process"),
            new(suite, "coordinator peak memory", config, "MB", m.PeakWorkingSet / 1e6, [m.PeakWorkingSet / 1e6],
                new Dictionary<string, double>
                {
                    ["peak_managed_heap_mb"] = m.PeakManagedHeap / 1e6,
                    ["baseline_working_set_mb"] = m.BaselineWorkingSet / 1e6,
                },
                "peak working set of the coordinator process (sampled every 20 ms), libtorch memory included"),
            new(suite, "coordinator overhead", config, "%", BenchFigure.MedianOf(overhead), overhead,
                new Dictionary<string, double> { ["assumed_compute_ms"] = computeMs },
                string.Create(c, $"C / (T + C): C the coordinator CPU time per step, T = {computeMs:0} ms of worker compute (assumed)")),
        ];
    }
}
