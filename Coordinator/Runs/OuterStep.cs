using System.Runtime.InteropServices;
using MetaCluster.Coordinator.DataPlane;
using TorchSharp;
using static TorchSharp.torch;

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
    /// copied once, straight from the tensor's memory into the bytes workers fetch.
    /// </summary>
    public static void Publish(ParameterStore store, string runId, long version, Tensor theta, int modelElements)
    {
        if (theta.device_type != DeviceType.CPU || theta.dtype != ScalarType.Float32 || !theta.is_contiguous())
            throw new ArgumentException("θ must be a contiguous float32 tensor on the CPU", nameof(theta));
        store.Publish(runId, version, theta.bytes[..checked(modelElements * sizeof(float))]);
    }

    /// <summary>
    /// The mean outer gradient: the shards' sum divided by the meta-batch (float32 division, element
    /// by element), written straight into a new tensor the caller disposes.
    /// </summary>
    public static Tensor MeanGradient(float[] gradientSum, int metaBatch)
    {
        var gradient = empty(gradientSum.LongLength, ScalarType.Float32);
        System.Numerics.Tensors.TensorPrimitives.Divide(gradientSum, (float)metaBatch, MemoryMarshal.Cast<byte, float>(gradient.bytes));
        return gradient;
    }
}
