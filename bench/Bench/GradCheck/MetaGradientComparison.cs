using System.Diagnostics;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Runs;
using MetaCluster.TaskWorker.Execution;
using TorchSharp;
using static TorchSharp.torch;

namespace MetaCluster.Bench.GradCheck;

/// <summary>How far apart the meta-gradients of the same tasks and θ came out.</summary>
/// <param name="Parameters">Length of the meta-gradient.</param>
/// <param name="RelativeNorm">‖g_device − g_cpu‖ / ‖g_cpu‖, both float32: what the check holds to its tolerance.</param>
/// <param name="RelativeMax">max |g_device − g_cpu| / max |g_cpu|.</param>
/// <param name="DeviceVsFloat64">‖g_device − g_cpu64‖ / ‖g_cpu64‖: the device's float32 error against CPU float64.</param>
/// <param name="CpuVsFloat64">‖g_cpu − g_cpu64‖ / ‖g_cpu64‖: the CPU's own float32 error, for scale.</param>
/// <param name="GradientNorm">‖g_cpu‖.</param>
/// <param name="DeviceSeconds">Time of the device's computation (the first call on a GPU includes its warm-up).</param>
public sealed record GradientAgreement(long Parameters, double RelativeNorm, double RelativeMax, double DeviceVsFloat64, double CpuVsFloat64, double GradientNorm, double DeviceSeconds);

/// <summary>
/// The meta-gradient of one shard (tasks 0..T−1 of step 0, θ from the run's seed) computed by the
/// worker's own code (<see cref="ShardComputation.Train"/>) three times: on the CPU in float32, on
/// the device in float32, and on the CPU in float64 as the reference both are measured against.
/// </summary>
public static class MetaGradientComparison
{
    /// <summary>Compares <paramref name="device"/> with the CPU for <paramref name="run"/>'s first <see cref="RunDefinition.MetaBatch"/> tasks.</summary>
    public static GradientAgreement Compare(RunDefinition run, string device)
    {
        var spec = run.ToSpec();
        var resolved = ResolvedRunSpec.From(spec);
        long[] tasks = Enumerable.Range(0, run.MetaBatch).Select(i => (long)i).ToArray();
        using var theta = resolved.Algorithm.InitializeMetaParameters(resolved.Model, run.Seed);
        float[] cpu = ShardComputation.Train(resolved, spec, 0, tasks, theta, CPU).Gradient;
        float[] float64;
        using (var wide = theta.to(ScalarType.Float64))
            float64 = ShardComputation.Train(resolved, spec, 0, tasks, wide, CPU).Gradient;
        var d = torch.device(device);
        var clock = Stopwatch.StartNew();
        float[] there;
        using (var onDevice = theta.to(d))
            there = ShardComputation.Train(resolved, spec, 0, tasks, onDevice, d).Gradient;
        double seconds = clock.Elapsed.TotalSeconds;
        return new GradientAgreement(cpu.Length, RelativeNorm(there, cpu), RelativeMax(there, cpu),
            RelativeNorm(there, float64), RelativeNorm(cpu, float64), Norm(cpu), seconds);
    }

    /// <summary>‖a − b‖ / ‖b‖ in double precision (0 when both are zero).</summary>
    public static double RelativeNorm(float[] a, float[] b)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(a.Length, b.Length);
        double diff = 0, norm = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double e = (double)a[i] - b[i];
            diff += e * e;
            norm += (double)b[i] * b[i];
        }
        return diff == 0 ? 0 : Math.Sqrt(diff / norm);
    }

    /// <summary>max |a − b| / max |b| (0 when both are zero).</summary>
    public static double RelativeMax(float[] a, float[] b)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(a.Length, b.Length);
        double diff = 0, max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs((double)a[i] - b[i]));
            max = Math.Max(max, Math.Abs((double)b[i]));
        }
        return diff == 0 ? 0 : diff / max;
    }

    private static double Norm(float[] a) => Math.Sqrt(a.Sum(x => (double)x * x));
}
