using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MetaCluster.Bench.Measurement;
using MetaCluster.Testing.Processes;

namespace MetaCluster.Bench.Throughput;

/// <summary>What one run of the reference measured.</summary>
/// <param name="Implementation"><c>loop</c>, <c>batched</c> or, for CNN-4, <c>loop_channels_last</c> (the loop with channels-last activations).</param>
/// <param name="Median">tasks_per_s_median.</param>
/// <param name="Repetitions">Each repetition's tasks_per_s.</param>
/// <param name="StepsPerRepetition">steps_per_repeat.</param>
/// <param name="JsonFile">Where its JSON was written.</param>
public sealed record PyTorchFigure(string Implementation, double Median, double[] Repetitions, int StepsPerRepetition, string JsonFile);

/// <summary>
/// The plain-PyTorch reference of <c>bench/reference/maml_reference.py</c>, run as a child
/// process with the same configuration, threads, warm-up, repetitions and target seconds.
/// </summary>
public sealed class PyTorchReference
{
    /// <summary>The interpreter the reference needs (Debian's, which sees Debian's torch).</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>The note a figure carries when the reference cannot run here.</summary>
    public const string NotAvailable = "PyTorch reference not available: apt-get install python3-torch python3-numpy python3-pil";

    private readonly string script;

    private PyTorchReference(string script) => this.script = script;

    /// <summary>
    /// The reference for <c>--reference auto</c>: available when the script is in the repository
    /// and <c>/usr/bin/python3 -c "import torch"</c> succeeds; otherwise null.
    /// </summary>
    public static async Task<PyTorchReference?> DetectAsync(CancellationToken cancellationToken)
    {
        string? root = RepositoryLayout.FindRoot();
        if (root is null || !File.Exists(Python)) return null;
        string script = Path.Combine(root, "bench", "reference", "maml_reference.py");
        if (!File.Exists(script)) return null;
        var (exit, _) = await RunAsync(["-c", "import torch, numpy, PIL"], TimeSpan.FromMinutes(2), cancellationToken);
        return exit == 0 ? new PyTorchReference(script) : null;
    }

    /// <summary>The loop with <c>--memory-format channels_last</c>: what that layout gives plain PyTorch's CNN-4.</summary>
    public const string LoopChannelsLast = "loop_channels_last";

    /// <summary>
    /// Runs <c>--config</c> with <paramref name="config"/>'s name and meta-batch, <c>--impl <paramref name="implementation"/></c>
    /// (<see cref="LoopChannelsLast"/>: <c>--impl loop --memory-format channels_last</c>) on <paramref name="device"/>,
    /// writing its JSON to <paramref name="jsonFile"/>; throws with its last error line when it fails.
    /// </summary>
    public async Task<PyTorchFigure> MeasureAsync(BenchConfiguration config, string implementation, int threads, BenchPlan plan, string? omniglotZip, string device,
        string jsonFile, CancellationToken cancellationToken)
    {
        var c = CultureInfo.InvariantCulture;
        var args = new List<string>
        {
            script, "--config", config.Name, "--meta-batch", config.Run.MetaBatch.ToString(c), "--device", device,
            "--impl", implementation == LoopChannelsLast ? "loop" : implementation, "--threads", threads.ToString(c),
            "--warmup", plan.Warmup.ToString(c), "--repeats", plan.Repetitions.ToString(c),
            "--steps", "0", "--target-seconds", plan.TargetSeconds.ToString("R", c), "--out", jsonFile,
        };
        if (omniglotZip is not null) args.AddRange(["--omniglot-zip", omniglotZip]);
        if (implementation == LoopChannelsLast) args.AddRange(["--memory-format", "channels_last"]);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(jsonFile))!);
        var (exit, errors) = await RunAsync(args, TimeSpan.FromHours(2), cancellationToken);
        if (exit != 0 || !File.Exists(jsonFile))
        {
            string last = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
            throw new InvalidOperationException($"maml_reference.py --config {config.Name} --impl {implementation} exited with {exit}: {last}");
        }
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(jsonFile, cancellationToken));
        var root = document.RootElement;
        return new PyTorchFigure(implementation,
            root.GetProperty("tasks_per_s_median").GetDouble(),
            root.GetProperty("repetitions").EnumerateArray().Select(r => r.GetProperty("tasks_per_s").GetDouble()).ToArray(),
            root.GetProperty("steps_per_repeat").GetInt32(),
            jsonFile);
    }

    // stdout (the JSON, also in --out) is read and dropped; stderr is kept for the error message.
    private static async Task<(int Exit, string Errors)> RunAsync(IEnumerable<string> args, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Python, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        await stdout;
        return (process.ExitCode, await stderr);
    }
}
