using System.Diagnostics;

namespace MetaCluster.Learning.Diagnostics;

/// <summary>
/// The learning library's own spans, on the BCL's <see cref="ActivitySource"/> like any .NET
/// library instruments itself: <c>inner-loop</c> and <c>outer-backward</c> for an autograd shard,
/// <c>fused-shard</c> for a hand-written kernel. A host that listens (the cluster's telemetry adds
/// this source) sees them under its own span; nobody listening costs a null check.
/// </summary>
public static class LearningTelemetry
{
    /// <summary>The source's name.</summary>
    public const string SourceName = "MetaCluster.Learning";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts a span of learning work, or returns null when nobody listens.</summary>
    internal static Activity? Start(string name) => Source.StartActivity(name);
}
