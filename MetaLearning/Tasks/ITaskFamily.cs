using MetaCluster.Learning.Models;

namespace MetaCluster.Learning.Tasks;

/// <summary>
/// A family of related tasks. Sampling is a pure function of (seed, stream, step, task index),
/// so any worker can rebuild any task without receiving data.
/// </summary>
public interface ITaskFamily
{
    /// <summary>Regression or classification.</summary>
    TaskKind Kind { get; }

    /// <summary>A fresh model suited to the family's inputs and outputs.</summary>
    IFunctionalModel CreateModel();

    /// <summary>Builds the given tasks, stacked on a leading task dimension (float32, CPU).</summary>
    TaskBatch Sample(ulong seed, TaskStream stream, long step, IReadOnlyList<long> taskIndices, EpisodeShape shape);
}
