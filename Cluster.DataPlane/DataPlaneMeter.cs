using System.Diagnostics.Metrics;

namespace MetaCluster.DataPlane;

/// <summary>
/// The data plane's instruments: bytes moved, by direction and component (coordinator, worker,
/// relay), and how relays obtained parameter versions. On the cluster's meter "MetaCluster"
/// (ServiceDefaults' <c>ClusterTelemetry.MeterName</c>; this library does not reference the hosting defaults).
/// </summary>
public static class DataPlaneMeter
{
    private static readonly Meter Meter = new("MetaCluster");
    private static readonly Counter<long> Bytes = Meter.CreateCounter<long>("metacluster.data_plane.bytes", "By", "Bytes moved over the data plane, by direction and component");
    private static readonly Counter<long> RelayVersions = Meter.CreateCounter<long>("metacluster.relay.parameter_versions", "{version}",
        "Parameter versions a reduction relay obtained, by source: replayed (its replica of Adam), fetched, fetched_after_mismatch");

    /// <summary>Counts bytes moved over the data plane.</summary>
    public static void RecordBytes(string direction, string component, long bytes) =>
        Bytes.Add(bytes, new KeyValuePair<string, object?>("direction", direction), new KeyValuePair<string, object?>("component", component));

    /// <summary>Records how a relay obtained one parameter version (replayed, fetched, fetched_after_mismatch).</summary>
    public static void RecordRelayParameterVersion(string source) =>
        RelayVersions.Add(1, new KeyValuePair<string, object?>("source", source));
}
