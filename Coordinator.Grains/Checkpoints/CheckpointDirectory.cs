using System.Globalization;
using MetaCluster.Coordinator.Output;

namespace MetaCluster.Coordinator.Checkpoints;

/// <summary>A checkpoint that could not be used, and why (one line naming the file).</summary>
public sealed record RejectedCheckpoint(string Path, string Reason);

/// <summary>What a resume found: the newest checkpoint that verified (or none), and the newer ones that did not.</summary>
public sealed record ResumePoint(Checkpoint? Checkpoint, string? Path, IReadOnlyList<RejectedCheckpoint> Rejected);

/// <summary>
/// The checkpoints/ folder of a run directory: step-NNNNNNNN.ckpt files, of which the newest few
/// are kept, plus final.ckpt at the end of a run. Every file verifies on load (<see cref="CheckpointFormat"/>).
/// </summary>
public sealed class CheckpointDirectory(string runDirectory, int keep = 2, FileStreamFactory? create = null)
{
    /// <summary>The name of the end-of-run checkpoint.</summary>
    public const string FinalName = "final.ckpt";

    /// <summary>The folder.</summary>
    public string Path { get; } = System.IO.Path.Combine(runDirectory, "checkpoints");

    /// <summary>The path of the end-of-run checkpoint (which may not exist).</summary>
    public string FinalPath => System.IO.Path.Combine(Path, FinalName);

    /// <summary>Saves a step's checkpoint and prunes older ones.</summary>
    public string Save(Checkpoint checkpoint)
    {
        string path = System.IO.Path.Combine(Path, string.Create(CultureInfo.InvariantCulture, $"step-{checkpoint.Step:D8}.ckpt"));
        checkpoint.Save(path, create);
        foreach (var old in StepFiles().SkipLast(keep)) File.Delete(old);
        return path;
    }

    /// <summary>Saves the end-of-run checkpoint.</summary>
    public void SaveFinal(Checkpoint checkpoint) => checkpoint.Save(FinalPath, create);

    /// <summary>The path of the newest step checkpoint, or null.</summary>
    public string? LatestPath() => StepFiles().LastOrDefault();

    /// <summary>
    /// The newest step checkpoint that verifies, trying older ones when a newer one is truncated or
    /// damaged (those are listed in <see cref="ResumePoint.Rejected"/>, newest first).
    /// </summary>
    public ResumePoint LoadNewestValid()
    {
        var rejected = new List<RejectedCheckpoint>();
        foreach (var path in StepFiles().Reverse())
        {
            try
            {
                return new ResumePoint(Checkpoint.Load(path), path, rejected);
            }
            catch (InvalidDataException e)
            {
                rejected.Add(new RejectedCheckpoint(path, e.Message));
            }
            catch (IOException e)
            {
                rejected.Add(new RejectedCheckpoint(path, $"{path}: {e.Message}"));
            }
        }
        return new ResumePoint(null, null, rejected);
    }

    // Step files sort by name because the step is zero-padded.
    private IEnumerable<string> StepFiles() =>
        Directory.Exists(Path)
            ? Directory.GetFiles(Path, "step-*.ckpt").Order(StringComparer.Ordinal)
            : [];
}
