namespace MetaCluster.TaskWorker.Hosting;

/// <summary>How a process hosts its workers.</summary>
public sealed class WorkerOptions
{
    /// <summary>The device the workers compute on: <c>cpu</c> or <c>cuda:N</c> (unless <see cref="Devices"/> gives each its own).</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>
    /// The device of each worker, by index (<see cref="WorkerDevices.Assign"/>: the embedded cluster
    /// puts one worker on each GPU); null puts every worker on <see cref="Device"/>.
    /// </summary>
    public IReadOnlyList<string>? Devices { get; set; }

    /// <summary>Worker grains this process hosts (one per device in cluster mode; several CPU workers in embedded mode).</summary>
    public int Workers { get; set; } = 1;

    /// <summary>Prefix of the worker ids, unique per process (the ids are PREFIX/DEVICE/N).</summary>
    public string WorkerIdPrefix { get; set; } = Environment.MachineName;

    /// <summary>libtorch intra-op threads for this process; 0 picks cores ÷ workers.</summary>
    public int Threads { get; set; }

    /// <summary>Bearer token sent to the coordinator's data plane, if it requires one (and required by this process's relay off loopback).</summary>
    public string? Token { get; set; }

    /// <summary>
    /// The folders (<c>--data-root</c>) runs may read data from, checked by the worker itself before
    /// it opens any; null (no <c>--data-root</c>, and the embedded cluster of <c>train</c>) leaves the
    /// check to the coordinator.
    /// </summary>
    public IReadOnlyList<string>? DataRoots { get; set; }

    /// <summary>Port of this process's reduction relay (<c>--reduce-tree</c>): 0 picks a free one, negative runs none.</summary>
    public int RelayPort { get; set; }

    /// <summary>PEM certificate this process presents to an https data plane that requires client certificates (mTLS); null for none.</summary>
    public string? TlsClientCertificate { get; set; }

    /// <summary>PEM private key of <see cref="TlsClientCertificate"/>.</summary>
    public string? TlsClientKey { get; set; }

    /// <summary>PEM certificate authority the coordinator's https certificate must be issued by; null trusts the system's roots.</summary>
    public string? TlsCa { get; set; }

    /// <summary>The address other worker processes reach the relay at (it listens on all interfaces unless this is loopback).</summary>
    public System.Net.IPAddress RelayAddress { get; set; } = System.Net.IPAddress.Loopback;

    /// <summary>The device of worker <paramref name="index"/>.</summary>
    public string DeviceOf(int index) => Devices is { Count: > 0 } d ? d[index % d.Count] : Device;

    /// <summary>
    /// The device of the worker called <paramref name="workerId"/> (ids are PREFIX/DEVICE/N, see
    /// <see cref="WorkerStarter"/>); <see cref="Device"/> for an id of another form.
    /// </summary>
    public string DeviceOf(string workerId)
    {
        string prefix = WorkerIdPrefix + "/";
        if (!workerId.StartsWith(prefix, StringComparison.Ordinal)) return Device;
        int last = workerId.LastIndexOf('/');
        return last > prefix.Length ? workerId[prefix.Length..last] : Device;
    }
}
