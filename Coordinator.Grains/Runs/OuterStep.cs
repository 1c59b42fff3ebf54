using System.Runtime.InteropServices;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Learning.Optimisation;
using MetaCluster.Protos.DataPlane.V1;
using TorchSharp;
using static TorchSharp.torch;
using MetaCluster.DataPlane.Replication;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// The coordinator's own work on the meta-parameters in each meta-step, outside the data plane:
/// publishing θ for the workers, and turning the shards' summed outer gradient into the mean
/// gradient Adam applies. Shared by the training loop and the capacity benchmark, so the benchmark
/// measures the code a run executes.
/// </summary>
public static class OuterStep
{
    /// <summary>
    /// Publishes the first <paramref name="modelElements"/> values of θ as <paramref name="version"/>,
    /// copied once, straight from the tensor's memory into the bytes workers fetch, with the number of
    /// optimiser updates behind it.
    /// </summary>
    public static void Publish(ParameterStore store, string runId, long version, Tensor theta, int modelElements, long optimizerStep = 0)
    {
        store.Publish(runId, version, Float32Bytes(theta, modelElements), optimizerStep);
    }

    /// <summary>
    /// Applies the meta-update with the mean of the shards' summed gradient and publishes the result
    /// as <paramref name="version"/> + 1, written into the published bytes in the same pass (no copy
    /// of θ afterwards). When one relayed result made that sum (<paramref name="soleRelayedResult"/>),
    /// the publication carries how a relay that forwarded it can replay the update, with θ's digest,
    /// taken inside the same pass.
    /// </summary>
    public static void UpdateAndPublish(ParameterStore store, string runId, Adam adam, Tensor theta, float[] gradientSum, int metaBatch, long version, ShardKey? soleRelayedResult)
    {
        var bytes = store.Rent(checked((int)theta.numel() * sizeof(float)));
        var digest = soleRelayedResult is null ? null : ParameterDigest.Stream();
        adam.ApplySum(theta, gradientSum, metaBatch, MemoryMarshal.Cast<byte, float>(bytes.AsSpan()), digest);
        var recipe = soleRelayedResult is null ? null
            : new AdamRecipe(version, version + 1, soleRelayedResult.Step, soleRelayedResult.Attempt, metaBatch, adam.Settings, adam.Step, digest!.GetCurrentHash());
        store.PublishOwned(runId, version + 1, bytes, adam.Step, recipe);
    }

    private static ReadOnlySpan<byte> Float32Bytes(Tensor theta, int elements)
    {
        if (theta.device_type != DeviceType.CPU || theta.dtype != ScalarType.Float32 || !theta.is_contiguous())
            throw new ArgumentException("θ must be a contiguous float32 tensor on the CPU", nameof(theta));
        return theta.bytes[..checked(elements * sizeof(float))];
    }
}
