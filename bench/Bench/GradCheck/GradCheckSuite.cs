using System.Globalization;
using System.Text.Json;
using MetaCluster.Bench.Throughput;
using MetaCluster.ServiceDefaults.Options;
using TorchSharp;

namespace MetaCluster.Bench.GradCheck;

/// <summary>
/// <c>--suite gradcheck</c>: is a device right before it is fast? A smoke test on the device
/// (<see cref="CudaSmoke"/>), then the meta-gradient of the same tasks and θ on the CPU and on the
/// device, float32, held to <c>--tolerance</c> (<see cref="MetaGradientComparison"/>). Writes
/// <c>gradcheck.json</c>; a check out of tolerance fails the suite (exit code 1). On a GPU, TF32 is
/// switched off for the comparison: it rounds convolutions to 10-bit mantissas, which no float32
/// tolerance would pass, and is not what a CPU computes.
/// </summary>
public sealed class GradCheckSuite : IBenchSuite
{
    /// <summary>The configurations compared by default: an MLP and the CNN-4, both second-order MAML.</summary>
    public static IReadOnlyList<string> DefaultConfigs { get; } = ["sinusoid-maml", "omniglot-maml"];

    /// <inheritdoc/>
    public string Name => "gradcheck";

    /// <inheritdoc/>
    public string Description => "CPU vs --device: a smoke test (second-order gradient), then meta-gradients of the same tasks, float32";

    /// <inheritdoc/>
    public IReadOnlyList<BenchOption> SuiteOptions { get; } =
    [
        new("device", "the device compared with the CPU: cuda (default where libtorch has CUDA), cuda:N or cpu"),
        new("checks", "smoke, meta-gradient or both (default)"),
        new("configs", $"configurations whose meta-gradients are compared (default {string.Join(",", DefaultConfigs)}): {string.Join(", ", BenchConfiguration.Names)}"),
        new("tasks", "tasks in the compared shard (default 8)"),
        new("tolerance", "largest ‖g_device − g_cpu‖ / ‖g_cpu‖ that passes (default 1e-4)"),
        new("omniglot-zip", "images_background_small1.zip (default: shared/data/omniglot above the repository)"),
    ];

    /// <inheritdoc/>
    public void Validate(BenchSettings settings) => Read(settings);

    /// <inheritdoc/>
    public Task<IReadOnlyList<BenchFigure>> RunAsync(BenchSettings settings, TextWriter progress, CancellationToken cancellationToken)
    {
        var o = Read(settings);
        var c = CultureInfo.InvariantCulture;
        var figures = new List<BenchFigure>();
        var failures = new List<string>();
        bool cuda = o.Device != "cpu";
        bool cudnnTf32 = cuda && torch.backends.cudnn.allow_tf32, matmulTf32 = cuda && torch.backends.cuda.matmul.allow_tf32;
        if (cuda) (torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32) = (false, false);
        try
        {
            if (o.Checks.Contains("smoke"))
            {
                var s = CudaSmoke.Run(o.Device);
                bool ok = s.FirstOrder <= 1e-5 && s.SecondOrder <= 1e-5 && s.MatMul <= 1e-4 && s.ResultDevice == torch.device(o.Device).ToString();
                progress.WriteLine(string.Create(c, $"gradcheck smoke on {s.ResultDevice}: first order {s.FirstOrder:0.0e0}, second order {s.SecondOrder:0.0e0}, matmul vs CPU {s.MatMul:0.0e0}: {(ok ? "PASS" : "FAIL")}"));
                if (!ok) failures.Add($"smoke on {o.Device}");
                figures.Add(new BenchFigure(Name, "smoke", Describe(o, "float32"), "relative error", s.SecondOrder, [s.SecondOrder],
                    new Dictionary<string, double> { ["first_order"] = s.FirstOrder, ["second_order"] = s.SecondOrder, ["matmul_vs_cpu"] = s.MatMul, ["pass"] = ok ? 1 : 0 },
                    $"tensors and the second-order gradient on {s.ResultDevice}"));
            }
            if (o.Checks.Contains("meta-gradient"))
            {
                foreach (var name in o.Configs)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var config = BenchConfiguration.Create(name, o.Omniglot).WithMetaBatch(o.Tasks);
                    var a = MetaGradientComparison.Compare(config.Run, o.Device);
                    bool ok = a.RelativeNorm <= o.Tolerance && double.IsFinite(a.GradientNorm);
                    progress.WriteLine(string.Create(c,
                        $"gradcheck {name}, {o.Tasks} tasks, {a.Parameters} parameters: {o.Device} vs cpu {a.RelativeNorm:0.00e0} (max {a.RelativeMax:0.00e0}); vs float64: {o.Device} {a.DeviceVsFloat64:0.00e0}, cpu {a.CpuVsFloat64:0.00e0}: {(ok ? "PASS" : "FAIL")}"));
                    if (!ok) failures.Add(string.Create(c, $"{name}: {a.RelativeNorm:0.00e0} > {o.Tolerance:0e0}"));
                    figures.Add(new BenchFigure(Name, name, Describe(o, "float32"), "relative error", a.RelativeNorm, [a.RelativeNorm], new Dictionary<string, double>
                    {
                        ["relative_max"] = a.RelativeMax, ["device_vs_float64"] = a.DeviceVsFloat64, ["cpu_vs_float64"] = a.CpuVsFloat64,
                        ["gradient_norm"] = a.GradientNorm, ["parameters"] = a.Parameters, ["device_seconds"] = a.DeviceSeconds, ["pass"] = ok ? 1 : 0,
                    }, "‖g_device − g_cpu‖ / ‖g_cpu‖ of one shard's summed meta-gradient (ShardComputation.Train), same θ and tasks"));
                }
            }
        }
        finally
        {
            if (cuda) (torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32) = (cudnnTf32, matmulTf32);
        }
        File.WriteAllText(Path.Combine(settings.OutputDirectory, "gradcheck.json"),
            JsonSerializer.Serialize(new { device = o.Device, tolerance = o.Tolerance, passed = failures.Count == 0, failures, figures }, Json) + "\n");
        if (failures.Count > 0) throw new InvalidOperationException($"gradcheck failed on {o.Device}: {string.Join("; ", failures)}");
        return Task.FromResult<IReadOnlyList<BenchFigure>>(figures);
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private static Dictionary<string, string> Describe(GradCheckOptions o, string dtype) => new()
    {
        ["device"] = o.Device, ["tasks"] = o.Tasks.ToString(CultureInfo.InvariantCulture), ["dtype"] = dtype,
        ["tolerance"] = o.Tolerance.ToString("R", CultureInfo.InvariantCulture), ["tf32"] = "off",
    };

    private sealed record GradCheckOptions(string Device, IReadOnlyList<string> Checks, IReadOnlyList<string> Configs, int Tasks, double Tolerance, OmniglotSources? Omniglot);

    private static GradCheckOptions Read(BenchSettings settings)
    {
        string device = settings.OptionalString("device") ?? (torch.cuda.is_available() ? "cuda" : "cpu");
        BenchDevices.RequireAvailable(device);
        var checks = settings.Names("checks", ["smoke", "meta-gradient"], ["smoke", "meta-gradient"]);
        var configs = settings.Names("configs", DefaultConfigs, BenchConfiguration.Names);
        int tasks = settings.PositiveInt("tasks", 8, 4096);
        double tolerance = settings.PositiveDouble("tolerance", 1e-4);
        var omniglot = checks.Contains("meta-gradient") ? OmniglotSources.Resolve(settings, configs) : null;
        return new GradCheckOptions(device, checks, configs, tasks, tolerance, omniglot);
    }
}
