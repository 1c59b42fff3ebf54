using System.Globalization;

namespace MetaCluster.Coordinator.Checkpoints;

/// <summary>
/// The checkpoints/ folder of a run directory: step-NNNNNNNN.ckpt files, of which the newest few
/// are kept, plus final.ckpt at the end of a run.
/// </summary>
public sealed class CheckpointDirectory(string runDirectory, int keep = 2)
{
    /// <summary>The folder.</summary>
    public string Path { get; } = System.IO.Path.Combine(runDirectory, "checkpoints");

    /// <summary>Saves a step's checkpoint and prunes older ones.</summary>
    public string Save(Checkpoint checkpoint)
    {
        string path = System.IO.Path.Combine(Path, string.Create(CultureInfo.InvariantCulture, $"step-{checkpoint.Step:D8}.ckpt"));
        checkpoint.Save(path);
        foreach (var old in StepFiles().SkipLast(keep)) File.Delete(old);
        return path;
    }

    /// <summary>Saves the end-of-run checkpoint.</summary>
    public void SaveFinal(Checkpoint checkpoint) => checkpoint.Save(System.IO.Path.Combine(Path, "final.ckpt"));

    /// <summary>The path of the newest step checkpoint, or null.</summary>
    public string? LatestPath() => StepFiles().LastOrDefault();

    /// <summary>The newest step checkpoint, or null.</summary>
    public Checkpoint? LoadLatest()
    {
        var latest = StepFiles().LastOrDefault();
        return latest is null ? null : Checkpoint.Load(latest);
    }

    // Step files sort by name because the step is zero-padded.
    private IEnumerable<string> StepFiles() =>
        Directory.Exists(Path)
            ? Directory.GetFiles(Path, "step-*.ckpt").Order(StringComparer.Ordinal)
            : [];
}
