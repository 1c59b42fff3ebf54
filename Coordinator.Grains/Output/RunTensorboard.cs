using static TorchSharp.torch.utils;

namespace MetaCluster.Coordinator.Output;

/// <summary>
/// TensorBoard event files in the run directory's <c>tensorboard/</c>, written with TorchSharp's
/// <c>SummaryWriter</c> (one TFRecord file of <c>Event</c> protos, each appended and flushed as it is
/// added, so a live TensorBoard sees the run as it goes). Tags: <c>train/loss</c>, <c>train/{metric}</c>,
/// <c>train/tasks_per_second</c> and <c>phases/{phase}_ms</c> (mean milliseconds per meta-step so far)
/// on every metrics line; <c>validation/{metric}</c> and <c>validation/best_{metric}</c> on every
/// validation; <c>eval/{metric}</c> at the end, whose step is the inner-step count.
/// A resumed run adds a new event file; TensorBoard merges the files of a directory.
/// </summary>
public sealed class RunTensorboard
{
    /// <summary>The folder of the run directory the event files go to.</summary>
    public const string Folder = "tensorboard";

    private readonly TorchSharp.Modules.SummaryWriter writer;

    /// <summary>Opens a new event file under <paramref name="runDirectory"/>/tensorboard.</summary>
    public RunTensorboard(string runDirectory) => writer = tensorboard.SummaryWriter(Path.Combine(runDirectory, Folder));

    /// <summary>The event file being written.</summary>
    public string LogDirectory => writer.LogDir;

    /// <summary>A metrics line's figures after <paramref name="step"/> meta-steps.</summary>
    public void Step(long step, double loss, string metric, double value, double tasksPerSecond, IReadOnlyDictionary<string, double>? phaseMilliseconds)
    {
        Add("train/loss", loss, step);
        if (metric != "mse" || value != loss) Add($"train/{metric}", value, step);
        Add("train/tasks_per_second", tasksPerSecond, step);
        foreach (var (phase, ms) in phaseMilliseconds ?? new Dictionary<string, double>()) Add($"phases/{phase}_ms", ms, step);
    }

    /// <summary>A validation's value (absent when every task diverged) and the best so far.</summary>
    public void Validation(long step, string metric, double? value, double? best)
    {
        if (value is { } v) Add($"validation/{metric}", v, step);
        if (best is { } b) Add($"validation/best_{metric}", b, step);
    }

    /// <summary>The final evaluation: its mean per inner-step count, the count as the step.</summary>
    public void Evaluation(EvaluationReport report)
    {
        foreach (var point in report.Results)
            if (point.Mean is { } mean) Add($"eval/{report.Metric}", mean, point.InnerSteps);
    }

    private void Add(string tag, double value, long step) =>
        writer.add_scalar(tag, (float)value, (int)Math.Min(step, int.MaxValue), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
}
