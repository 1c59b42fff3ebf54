using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Output;

namespace MetaCluster.Coordinator.Checkpoints;

/// <summary>
/// A run's resumable state: its definition, the step reached, θ and Adam's moments, and what θ's
/// elements are (<see cref="Tensors"/>, <see cref="Model"/>) so the parameters can be exported
/// without the run's data. The file format (<see cref="CheckpointFormat"/>) ends in a SHA-256 digest
/// of everything before it, checked on every load; files are written atomically.
/// </summary>
public sealed record Checkpoint(string RunId, RunDefinition Definition, long Step, long AdamStep, float[] Theta, float[]? FirstMoment, float[]? SecondMoment)
{
    /// <summary>θ's tensors in order, PyTorch-style names and shapes; null when whoever made the checkpoint did not know them.</summary>
    public IReadOnlyList<TensorEntry>? Tensors { get; init; }

    /// <summary>The model's kind and sizes; null when unknown (see <see cref="Tensors"/>).</summary>
    public ModelArchitecture? Model { get; init; }

    /// <summary>
    /// The algorithm's meta-parameters: θ without TRLearner's similarity layer W, which follows them
    /// and which workers never see (an algorithm that checks θ's size, as Meta-SGD does, refuses it).
    /// A checkpoint that does not list its tensors is taken as it is.
    /// </summary>
    public float[] ModelTheta() =>
        Tensors is [.., { Name: TensorEntry.TrProjections } w] && w.Count < Theta.LongLength ? Theta[..(int)(Theta.LongLength - w.Count)] : Theta;

    /// <summary>Writes the checkpoint atomically; a failed write leaves no temporary file (<see cref="AtomicFile"/>).</summary>
    public void Save(string path, FileStreamFactory? create = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.Write(path, stream => CheckpointFormat.Write(this, stream), create);
    }

    /// <summary>
    /// Reads and verifies a checkpoint. A file that is damaged, truncated, malformed or of an older
    /// format gives an <see cref="InvalidDataException"/> whose message is one line naming the file.
    /// </summary>
    public static Checkpoint Load(string path) => CheckpointFormat.Read(path);
}
