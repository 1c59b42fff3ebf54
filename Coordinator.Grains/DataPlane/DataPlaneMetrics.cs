using MetaCluster.ServiceDefaults.Telemetry;
using MetaCluster.DataPlane;

namespace MetaCluster.Coordinator.DataPlane;

/// <summary>Bytes moved over the data plane, as counted by the coordinator.</summary>
public sealed class DataPlaneMetrics
{
    private long sent, received;

    /// <summary>Bytes of parameters sent to workers.</summary>
    public long BytesSent => Interlocked.Read(ref sent);

    /// <summary>Bytes of results received from workers.</summary>
    public long BytesReceived => Interlocked.Read(ref received);

    /// <summary>Counts sent bytes (also in the <c>metacluster.data_plane.bytes</c> counter).</summary>
    public void AddSent(long bytes)
    {
        Interlocked.Add(ref sent, bytes);
        DataPlaneMeter.RecordBytes(DataPlaneMeter.Transmit, "coordinator", bytes);
    }

    /// <summary>Counts received bytes (also in the <c>metacluster.data_plane.bytes</c> counter).</summary>
    public void AddReceived(long bytes)
    {
        Interlocked.Add(ref received, bytes);
        DataPlaneMeter.RecordBytes(DataPlaneMeter.Receive, "coordinator", bytes);
    }
}
