using System.Globalization;

namespace MetaCluster.TaskWorker.Hosting;

/// <summary>
/// Which device each worker grain of a process computes on, from the device a run or a process
/// names and the GPUs the loaded libtorch sees. Pure, so it is tested without a GPU.
/// </summary>
public static class WorkerDevices
{
    /// <summary>
    /// The device of each of <paramref name="workers"/> workers: <c>cpu</c> puts them all on the CPU,
    /// <c>cuda:N</c> all on GPU N, and <c>cuda</c> one per GPU in turn (worker i on
    /// <c>cuda:(i mod gpus)</c>), so <c>--device cuda --workers G</c> on G GPUs puts one worker on each.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="device"/> is not cpu, cuda or cuda:N, or names a GPU that
    /// <paramref name="gpus"/> (the count libtorch reports) does not have.
    /// </exception>
    public static IReadOnlyList<string> Assign(string device, int workers, int gpus)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        if (device == "cpu") return Enumerable.Repeat("cpu", workers).ToArray();
        if (gpus < 1) throw new ArgumentException($"device {device}: no CUDA device is visible to this process");
        if (device == "cuda")
            return Enumerable.Range(0, workers).Select(i => string.Create(CultureInfo.InvariantCulture, $"cuda:{i % gpus}")).ToArray();
        if (device.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(device.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            if (index >= gpus) throw new ArgumentException($"device {device}: this machine has {gpus} CUDA device(s), cuda:0 to cuda:{gpus - 1}");
            return Enumerable.Repeat(string.Create(CultureInfo.InvariantCulture, $"cuda:{index}"), workers).ToArray();
        }
        throw new ArgumentException($"device must be cpu, cuda or cuda:N; got '{device}'");
    }
}
