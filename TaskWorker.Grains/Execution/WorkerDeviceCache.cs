using System.Collections.Concurrent;
using MetaCluster.TaskWorker.Hosting;
using TorchSharp;
using static TorchSharp.torch;

namespace MetaCluster.TaskWorker.Execution;

/// <summary>
/// The torch device of each worker of the process (<see cref="WorkerOptions.DeviceOf(string)"/>),
/// made once per worker: in the embedded cluster the workers of one process sit on different GPUs.
/// </summary>
public sealed class WorkerDeviceCache(WorkerOptions options)
{
    private readonly ConcurrentDictionary<string, Device> devices = new(StringComparer.Ordinal);

    /// <summary>The device worker <paramref name="workerId"/> computes on.</summary>
    public Device Of(string workerId) => devices.GetOrAdd(workerId, id => torch.device(options.DeviceOf(id)));
}
