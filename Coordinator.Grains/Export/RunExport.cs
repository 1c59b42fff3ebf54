using System.Globalization;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Output;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Tasks;

namespace MetaCluster.Coordinator.Export;

/// <summary>
/// A run's trained parameters as model.safetensors in its run directory: θ split into its
/// PyTorch-style tensors (the MLP's "layer0.weight" [out, in], CNN-4's "block0.conv.weight"
/// [C, C_in, 3, 3], Meta-SGD's rates "lr.…", TRLearner's "tr.projections" [H, D_proj, D]), with
/// what a loader needs to rebuild and use the model in the metadata. Every run writes it after its
/// final checkpoint; <see cref="Write(string, string?)"/> exports an existing run directory from its checkpoints.
/// </summary>
public static class RunExport
{
    /// <summary>The file's name in the run directory.</summary>
    public const string FileName = "model.safetensors";

    /// <summary>
    /// Exports the run in <paramref name="runDirectory"/> from checkpoints/final.ckpt, or from its
    /// newest valid step checkpoint when the run has not finished, to <paramref name="path"/> (default:
    /// <see cref="FileName"/> in the run directory); returns the file written. A damaged final
    /// checkpoint, or none at all, is an <see cref="InvalidDataException"/> (one line).
    /// </summary>
    public static string Write(string runDirectory, string? path = null)
    {
        var checkpoints = new CheckpointDirectory(runDirectory);
        Checkpoint checkpoint;
        if (File.Exists(checkpoints.FinalPath)) checkpoint = Checkpoint.Load(checkpoints.FinalPath);
        else
        {
            var newest = checkpoints.LoadNewestValid();
            checkpoint = newest.Checkpoint ?? throw new InvalidDataException(newest.Rejected.Count > 0
                ? $"{runDirectory}: no valid checkpoint to export ({newest.Rejected[0].Reason})"
                : $"{runDirectory}: no checkpoint to export (looked in {checkpoints.Path})");
        }
        path ??= Path.Combine(runDirectory, FileName);
        Write(checkpoint, path);
        return path;
    }

    /// <summary>Writes <paramref name="checkpoint"/>'s θ to <paramref name="path"/> as safetensors, atomically.</summary>
    public static void Write(Checkpoint checkpoint, string path, FileStreamFactory? create = null)
    {
        var (tensors, architecture) = Describe(checkpoint);
        SafetensorsWriter.Write(path, Split(checkpoint.Theta, tensors), Metadata(checkpoint, architecture), create);
    }

    /// <summary>θ cut into <paramref name="tensors"/>, in order.</summary>
    public static IReadOnlyList<NamedTensor> Split(float[] theta, IReadOnlyList<TensorEntry> tensors)
    {
        long offset = 0;
        var split = new List<NamedTensor>(tensors.Count);
        foreach (var t in tensors)
        {
            split.Add(new NamedTensor(t.Name, t.Shape, theta.AsSpan(checked((int)offset), checked((int)t.Count)).ToArray()));
            offset += t.Count;
        }
        if (offset != theta.LongLength) throw new ArgumentException($"the tensors cover {offset} of θ's {theta.LongLength} elements");
        return split;
    }

    /// <summary>The metadata of the export: architecture, run, and how the model adapts (inner steps and rate).</summary>
    public static IEnumerable<KeyValuePair<string, string>> Metadata(Checkpoint checkpoint, ModelArchitecture architecture)
    {
        var c = CultureInfo.InvariantCulture;
        var d = checkpoint.Definition;
        // "pt": the tensors are laid out as PyTorch's modules name and shape them.
        yield return new("format", "pt");
        foreach (var item in architecture.ToMetadata()) yield return item;
        // Architectures recorded before task_kind existed: the kind follows from the task and model.
        if (architecture.TaskKind is null) yield return new("task_kind", InferredTaskKind(d, architecture));
        yield return new("task", d.Task);
        yield return new("algorithm", d.Algorithm);
        yield return new("inner_steps", d.InnerSteps.ToString(c));
        yield return new("inner_lr", d.InnerLr.ToString(c));
        // AdaptAndPredict adapts for the largest of these unless told otherwise; a loader defaults to the same.
        yield return new("eval_inner_steps", string.Join(",", d.EvalInnerSteps.Select(k => k.ToString(c))));
        if (d.TrLambda != 0)
        {
            yield return new("tr_lambda", d.TrLambda.ToString(c));
            yield return new("tr_tau", d.TrTau.ToString(c));
        }
        yield return new("run_id", checkpoint.RunId);
        yield return new("step", checkpoint.Step.ToString(c));
    }

    // Images are classified, sinusoid and harmonic regressed; a tabular model has one output for
    // regression and one per class (at least 2) for classification.
    private static string InferredTaskKind(RunDefinition run, ModelArchitecture architecture) =>
        run.Task == "images" || run.Algorithm == "protonet" || architecture.LayerSizes is { Length: > 0 } sizes && sizes[^1] > 1 && run.Task == "tabular"
            ? "classification" : "regression";

    // Checkpoints written by runs say what θ is; one made by hand (tests, tools) may not, and then
    // the model is rebuilt from the run's definition, which for image and tabular runs needs their data.
    private static (IReadOnlyList<TensorEntry> Tensors, ModelArchitecture Architecture) Describe(Checkpoint checkpoint)
    {
        if (checkpoint.Tensors is { } known && checkpoint.Model is { } model) return (known, model);
        var d = checkpoint.Definition;
        try
        {
            var family = TaskFamilyCatalog.Create(d.Task, d.ToDataOptions());
            var rebuilt = family.CreateModel();
            var algorithm = AlgorithmCatalog.Create(d.Algorithm, d.InnerLoop());
            return (checkpoint.Tensors ?? TensorEntry.ForRun(algorithm, rebuilt, d.TrLearner(), checkpoint.Theta.LongLength),
                checkpoint.Model ?? ModelArchitecture.Describe(rebuilt, family));
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException)
        {
            throw new InvalidDataException($"the checkpoint of run {checkpoint.RunId} does not describe its model, and rebuilding it from the run's definition failed: {e.Message}", e);
        }
    }
}
