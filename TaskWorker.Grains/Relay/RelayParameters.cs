using System.Diagnostics;
using Google.Protobuf;
using MetaCluster.DataPlane.Reduction;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;
using MetaCluster.TaskWorker.DataPlane;
using MetaCluster.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Logging;
using MetaCluster.DataPlane.Replication;
using MetaCluster.DataPlane;

namespace MetaCluster.TaskWorker.Relay;

/// <summary>
/// The parameters a relay serves to the workers of its super-groups: each run's latest version,
/// obtained once from upstream (the coordinator) as raw bytes and shared by every caller. For a run
/// whose plans say the relay's result is the whole step (<see cref="RelayPlan.ReplicateUpdate"/>),
/// versions come through <see cref="ReplicatedParameters"/>: replayed from the forwarded gradient on
/// a replica of the coordinator's Adam where they can be, fetched where they cannot.
/// </summary>
public sealed partial class RelayParameters(DataPlaneChannels channels, ILogger<RelayParameters> logger) : IForwardedGradients
{
    // A run's replica is dropped when no plan of the run has been opened here for this long.
    private static readonly TimeSpan ReplicaIdleLimit = TimeSpan.FromMinutes(10);

    private readonly Lock gate = new();
    private readonly LatestVersionCache<(long[] Shape, byte[] Bytes)> latest = new();
    private readonly Dictionary<string, (ReplicatedParameters Parameters, long LastPlan)> replicated = [];
    private readonly long[] obtained = new long[Enum.GetValues<ParameterSource>().Length];

    /// <summary>Parameter versions this relay has obtained so far, by how.</summary>
    public long Obtained(ParameterSource source) => Interlocked.Read(ref obtained[(int)source]);

    /// <summary>
    /// Version <paramref name="version"/> of a run's parameters, obtained from <paramref name="upstreamUrl"/>
    /// if not held, asked with <paramref name="assignmentSecret"/> (the caller's: the secret of a live
    /// assignment of the run, which the coordinator requires).
    /// </summary>
    public Task<(long[] Shape, byte[] Bytes)> GetAsync(string upstreamUrl, string runId, long version, ByteString assignmentSecret)
    {
        ReplicatedParameters? replica;
        lock (gate) replica = replicated.TryGetValue(runId, out var held) ? held.Parameters : null;
        return latest.GetAsync(runId, version, () => replica is not null
            ? ReplayOrFetchAsync(replica, upstreamUrl, version, assignmentSecret)
            : FetchAsync(upstreamUrl, runId, version, assignmentSecret));
    }

    /// <summary>
    /// Notes a plan opened here: when it says the relay's result is the whole step, the run's
    /// versions come through a replica from now on.
    /// </summary>
    public void Planned(RelayPlan plan)
    {
        if (!plan.ReplicateUpdate) return;
        long now = Stopwatch.GetTimestamp();
        lock (gate)
        {
            foreach (var idle in replicated.Where(r => Stopwatch.GetElapsedTime(r.Value.LastPlan, now) > ReplicaIdleLimit).Select(r => r.Key).ToList())
                replicated.Remove(idle);
            replicated[plan.Key.RunId] = (replicated.TryGetValue(plan.Key.RunId, out var held) ? held.Parameters : new ReplicatedParameters(plan.Key.RunId), now);
        }
    }

    /// <inheritdoc/>
    public void Record(RelayPlan plan, float[] sumAsSent)
    {
        if (!plan.ReplicateUpdate) return;
        ReplicatedParameters? parameters;
        lock (gate) parameters = replicated.TryGetValue(plan.Key.RunId, out var held) ? held.Parameters : null;
        parameters?.RecordGradient(plan.Key.Step, plan.Key.Attempt, sumAsSent);
    }

    private async Task<(long[] Shape, byte[] Bytes)> ReplayOrFetchAsync(ReplicatedParameters parameters, string upstreamUrl, long version, ByteString assignmentSecret)
    {
        var (shape, bytes, source) = await parameters.GetAsync(channels.Client(upstreamUrl), version, assignmentSecret);
        if (source == ParameterSource.FetchedAfterMismatch) LogReplayMismatch(parameters.RunId, version);
        Count(source, bytes.LongLength);
        return (shape, bytes);
    }

    private async Task<(long[] Shape, byte[] Bytes)> FetchAsync(string upstreamUrl, string runId, long version, ByteString assignmentSecret)
    {
        using var call = channels.Client(upstreamUrl).GetParameters(new GetParametersRequest { RunId = runId, Version = version, AssignmentSecret = assignmentSecret });
        var parameters = await TensorStreams.ReadOneAsync(call.ResponseStream, $"parameters of run {runId} version {version}");
        Count(ParameterSource.Fetched, parameters.Bytes.LongLength);
        return (parameters.Shape, parameters.Bytes);
    }

    // One version obtained: counted here and in the metrics, its bytes as received unless replayed.
    private void Count(ParameterSource source, long bytes)
    {
        Interlocked.Increment(ref obtained[(int)source]);
        DataPlaneMeter.RecordRelayParameterVersion(source switch
        {
            ParameterSource.Replayed => "replayed",
            ParameterSource.FetchedAfterMismatch => "fetched_after_mismatch",
            _ => "fetched",
        });
        if (source != ParameterSource.Replayed) DataPlaneMeter.RecordBytes(DataPlaneMeter.Receive, "relay", bytes);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} version {Version}: the relay's replayed parameters did not match the coordinator's digest; fetched them whole and dropped the replica")]
    private partial void LogReplayMismatch(string runId, long version);
}
