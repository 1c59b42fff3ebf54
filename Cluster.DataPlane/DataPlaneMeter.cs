using System.Diagnostics.Metrics;

namespace MetaCluster.DataPlane;

/// <summary>
/// The data plane's instruments: bytes moved, by direction and component (coordinator, worker,
/// relay), and how relays obtained parameter versions. On the cluster's meter "MetaCluster"
/// (ServiceDefaults' <c>ClusterTelemetry.MeterName</c>; this library does not reference the hosting defaults).
/// Attributes follow the semantic conventions where one exists (<c>network.io.direction</c>:
/// <c>transmit</c> or <c>receive</c>) and are namespaced <c>metacluster.*</c> otherwise.
/// </summary>
public static class DataPlaneMeter
{
    private static readonly Meter Meter = new("MetaCluster");
    private static readonly Counter<long> Bytes = Meter.CreateCounter<long>("metacluster.data_plane.bytes", "By", "Bytes moved over the data plane, by direction and component");
    private static readonly Counter<long> RelayVersions = Meter.CreateCounter<long>("metacluster.relay.parameter_versions", "{version}",
        "Parameter versions a reduction relay obtained, by source: replayed (its replica of Adam), fetched, fetched_after_mismatch");

    /// <summary>The semantic conventions' attribute of the direction of bytes moved.</summary>
    public const string DirectionAttribute = "network.io.direction";

    /// <summary>The part of the cluster that moved them: <c>coordinator</c>, <c>worker</c> or <c>relay</c>.</summary>
    public const string ComponentAttribute = "metacluster.component";

    /// <summary>How a relay obtained a parameter version.</summary>
    public const string SourceAttribute = "metacluster.parameter_source";

    /// <summary>Bytes this process sent.</summary>
    public const string Transmit = "transmit";

    /// <summary>Bytes this process received.</summary>
    public const string Receive = "receive";

    /// <summary>Counts bytes moved over the data plane; <paramref name="direction"/> is <see cref="Transmit"/> or <see cref="Receive"/>.</summary>
    public static void RecordBytes(string direction, string component, long bytes) =>
        Bytes.Add(bytes, new KeyValuePair<string, object?>(DirectionAttribute, direction), new KeyValuePair<string, object?>(ComponentAttribute, component));

    /// <summary>Records how a relay obtained one parameter version (replayed, fetched, fetched_after_mismatch).</summary>
    public static void RecordRelayParameterVersion(string source) =>
        RelayVersions.Add(1, new KeyValuePair<string, object?>(SourceAttribute, source));
}
