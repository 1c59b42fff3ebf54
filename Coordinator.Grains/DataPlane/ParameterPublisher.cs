using System.Runtime.InteropServices;
using MetaCluster.DataPlane.Replication;
using MetaCluster.Learning.Optimisation;
using MetaCluster.Protos.DataPlane.V1;
using TorchSharp;
using static TorchSharp.torch;

namespace MetaCluster.Coordinator.DataPlane;

/// <summary>
/// The one writer of <see cref="ParameterStore"/>: every version workers fetch (training steps,
/// the final evaluation, a prediction's parameters) is published here, copied once into the bytes
/// that go on the wire. An update publishes its result in the same pass as the optimiser's, and, when one
/// relayed result made the step's gradient, how a relay can replay it, with θ's digest. Removing a
/// run's parameters also forgets the secrets that could read them (<see cref="AssignmentSecrets"/>).
/// </summary>
public sealed class ParameterPublisher(ParameterStore store, AssignmentSecrets readers)
{
    /// <summary>Publishes the first <paramref name="elements"/> values of <paramref name="theta"/> as <paramref name="version"/>, made by <paramref name="optimizerStep"/> updates.</summary>
    public void Publish(string runId, long version, Tensor theta, int elements, long optimizerStep)
    {
        if (theta.device_type != DeviceType.CPU || theta.dtype != ScalarType.Float32 || !theta.is_contiguous())
            throw new ArgumentException("θ must be a contiguous float32 tensor on the CPU", nameof(theta));
        store.Publish(runId, version, theta.bytes[..checked(elements * sizeof(float))], optimizerStep);
    }

    /// <summary>Publishes <paramref name="values"/> as <paramref name="version"/>.</summary>
    public void Publish(string runId, long version, ReadOnlySpan<float> values) => store.Publish(runId, version, MemoryMarshal.AsBytes(values));

    /// <summary>
    /// Applies the outer optimiser's next update with <paramref name="gradientSum"/> / <paramref name="divisor"/>
    /// to <paramref name="theta"/> and publishes its first <paramref name="publishedElements"/> values as
    /// <paramref name="version"/>, written into the published bytes block by block while the update's
    /// pass has them in the cache. With <paramref name="soleRelayedResult"/> (a whole, published θ), the
    /// publication carries the update's recipe (its rate, clip factor and decay) and θ's digest, taken
    /// in the same pass.
    /// </summary>
    public void UpdateAndPublish(string runId, long version, OuterOptimizer optimizer, Tensor theta, ReadOnlySpan<float> gradientSum, int divisor, int publishedElements,
        ShardKey? soleRelayedResult)
    {
        if (theta.device_type != DeviceType.CPU || theta.dtype != ScalarType.Float32 || !theta.is_contiguous() || theta.numel() != gradientSum.Length)
            throw new ArgumentException("θ must be a contiguous float32 tensor on the CPU, as long as the gradient sum", nameof(theta));
        if (soleRelayedResult is not null && publishedElements != theta.numel()) throw new ArgumentException("a replayable update publishes the whole of θ");
        var bytes = store.Rent(checked(publishedElements * sizeof(float)));
        var digest = soleRelayedResult is null ? null : ParameterDigest.Stream();
        var update = optimizer.ApplySum(MemoryMarshal.Cast<byte, float>(theta.bytes), gradientSum, divisor, (offset, block) =>
        {
            if (offset >= publishedElements) return;
            var part = block[..Math.Min(block.Length, publishedElements - offset)];
            part.CopyTo(MemoryMarshal.Cast<byte, float>(bytes.AsSpan())[offset..]);
            digest?.Append(MemoryMarshal.AsBytes(part));
        });
        var recipe = soleRelayedResult is null ? null
            : new AdamRecipe(version - 1, version, soleRelayedResult.Step, soleRelayedResult.Attempt, divisor, update, optimizer.Step, digest!.GetCurrentHash());
        store.PublishOwned(runId, version, bytes, optimizer.Step, recipe);
    }

    /// <summary>Lets relays copy the run's optimiser state until the run is removed.</summary>
    public void ShareOptimizerState(string runId, OptimizerStateSource source) => store.ShareOptimizerState(runId, source);

    /// <summary>
    /// Publishes <paramref name="values"/> under a key of their own (version 0) for one prediction;
    /// disposing the returned handle withdraws them.
    /// </summary>
    public Publication PublishOnce(string keyPrefix, ReadOnlySpan<float> values)
    {
        string key = $"{keyPrefix}-{Guid.NewGuid():N}";
        Publish(key, 0, values);
        return new Publication(this, key);
    }

    /// <summary>Forgets a finished run's versions and optimiser state, and the secrets of its assignments.</summary>
    public void Remove(string runId)
    {
        store.Remove(runId);
        readers.Forget(runId);
    }

    /// <summary>A published set of parameters, withdrawn (with its readers' secrets) when disposed.</summary>
    public sealed class Publication(ParameterPublisher publisher, string key) : IDisposable
    {
        /// <summary>The key workers fetch it under (as a run id, version 0).</summary>
        public string Key => key;

        /// <inheritdoc/>
        public void Dispose() => publisher.Remove(key);
    }
}
