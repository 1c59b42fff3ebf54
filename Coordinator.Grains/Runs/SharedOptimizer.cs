using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Learning.Optimisation;
using MetaCluster.Protos.DataPlane.V1;
using static TorchSharp.torch;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// A run's outer optimiser as relays may replicate it: the run's updates and the relays' copies of
/// Adam's moments (<see cref="ParameterStore.ShareOptimizerState"/>) take turns under one lock, so a
/// copy is never half of one step and half of the next. After <see cref="Dispose"/> (the run is
/// over, its Adam about to go) nothing more is copied.
/// </summary>
public sealed class SharedOptimizer(Adam adam) : IDisposable
{
    private readonly Lock gate = new();
    private bool closed;

    /// <summary>Updates applied so far.</summary>
    public long Step { get { lock (gate) return adam.Step; } }

    /// <summary>Shares the moments with relays of <paramref name="runId"/> through <paramref name="store"/>.</summary>
    public SharedOptimizer ShareThrough(ParameterStore store, string runId)
    {
        store.ShareOptimizerState(runId, Copy);
        return this;
    }

    /// <summary><see cref="OuterStep.UpdateAndPublish"/> under the lock.</summary>
    public void UpdateAndPublish(ParameterStore store, string runId, Tensor theta, float[] gradientSum, int metaBatch, long version, ShardKey? soleRelayedResult)
    {
        lock (gate) OuterStep.UpdateAndPublish(store, runId, adam, theta, gradientSum, metaBatch, version, soleRelayedResult);
    }

    /// <summary>Any other update (TRLearner's), under the lock.</summary>
    public void Apply(Tensor theta, Tensor gradient)
    {
        lock (gate) adam.Apply(theta, gradient);
    }

    // Copies of the moments' float32 bytes if the optimiser is still at exactly optimizerStep updates.
    private (byte[]? FirstMoment, byte[]? SecondMoment)? Copy(long optimizerStep)
    {
        lock (gate)
        {
            if (closed || adam.Step != optimizerStep) return null;
            if (adam.FirstMoment is null || adam.SecondMoment is null) return (null, null);
            return (adam.FirstMoment.bytes.ToArray(), adam.SecondMoment.bytes.ToArray());
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (gate) closed = true;
    }
}
