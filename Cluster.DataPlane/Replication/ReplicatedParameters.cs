using System.Runtime.InteropServices;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Learning.Optimisation;
using MetaCluster.Protos.DataPlane.V1;
using DataPlaneContract = MetaCluster.Protos.DataPlane.V1.DataPlane;

namespace MetaCluster.DataPlane.Replication;

/// <summary>How a version of the parameters reached a <see cref="ReplicatedParameters"/>.</summary>
public enum ParameterSource
{
    /// <summary>Computed here from the coordinator's recipe and checked against its digest.</summary>
    Replayed,

    /// <summary>Fetched whole (no replica yet, or the version does not follow from what it holds).</summary>
    Fetched,

    /// <summary>Fetched whole after a replayed version did not match the digest (the replica was dropped).</summary>
    FetchedAfterMismatch,
}

/// <summary>
/// One run's parameters as a reduction relay gets them when its result is the whole step's
/// gradient (<see cref="RelayPlan.ReplicateUpdate"/>): it asks the coordinator how each version came
/// about (<c>GetParameterUpdate</c>, about 100 bytes) and, when the version is the one it holds
/// after one outer update (Adam or SGD) with the gradient it forwarded itself, computes it on its
/// <see cref="AdamReplica"/> instead of fetching 4 bytes per parameter. Otherwise it fetches the
/// version and, if the run shares its optimiser, the moments (<c>GetOptimizerState</c>) to start a
/// replica from there. Fetches are serialised.
/// </summary>
public sealed class ReplicatedParameters(string runId)
{
    private readonly SemaphoreSlim turn = new(1, 1);
    private AdamReplica? replica;
    private long[] shape = [];

    /// <summary>The run.</summary>
    public string RunId => runId;

    /// <summary>
    /// Version <paramref name="version"/>'s shape and float32 bytes (never written afterwards), and how
    /// they were obtained, from the coordinator behind <paramref name="client"/>, asked with
    /// <paramref name="assignmentSecret"/> (the secret of a live assignment of the run: the caller's).
    /// </summary>
    public async Task<(long[] Shape, byte[] Bytes, ParameterSource Source)> GetAsync(DataPlaneContract.DataPlaneClient client, long version, Google.Protobuf.ByteString assignmentSecret,
        CancellationToken cancellationToken = default)
    {
        await turn.WaitAsync(cancellationToken);
        try
        {
            var request = new GetParametersRequest { RunId = runId, Version = version, AssignmentSecret = assignmentSecret };
            var update = await client.GetParameterUpdateAsync(request, cancellationToken: cancellationToken);
            var source = ParameterSource.Fetched;
            if (replica is { } held && update.Replay is { } replay)
            {
                switch (held.TryReplay(AdamReplayWire.ToRecipe(update, replay), out var replayed))
                {
                    case ReplayOutcome.Replayed:
                        return (shape, replayed!, ParameterSource.Replayed);
                    case ReplayOutcome.DigestMismatch:
                        replica = null;
                        source = ParameterSource.FetchedAfterMismatch;
                        break;
                }
            }

            using (var call = client.GetParameters(request, cancellationToken: cancellationToken))
            {
                var parameters = await TensorStreams.ReadOneAsync(call.ResponseStream, $"parameters of run {runId} version {version}", cancellationToken);
                shape = parameters.Shape;
                replica = update.Replicable ? await StartReplicaAsync(client, request, parameters.Bytes, update.OptimizerStep, cancellationToken) : null;
                return (shape, parameters.Bytes, source);
            }
        }
        finally
        {
            turn.Release();
        }
    }

    /// <summary>
    /// Records the gradient sum this process forwarded as the step's result (step, attempt), as the
    /// coordinator received it: the next version may be replayed from it.
    /// </summary>
    public void RecordGradient(long step, int attempt, float[] sum) => replica?.RecordGradient(step, attempt, sum);

    // A replica at the fetched version; null if the optimiser moved on meanwhile (the next fetch tries again).
    private async Task<AdamReplica?> StartReplicaAsync(DataPlaneContract.DataPlaneClient client, GetParametersRequest request, byte[] parameters, long optimizerStep, CancellationToken cancellationToken)
    {
        IReadOnlyList<ReceivedTensor> state;
        try
        {
            using var call = client.GetOptimizerState(request, cancellationToken: cancellationToken);
            state = await TensorStreams.ReadAllAsync(call.ResponseStream, $"optimiser state of run {runId} version {request.Version}", cancellationToken);
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
        {
            return null;
        }
        // No moments: before Adam's first update, or an SGD run (whose state is its update count alone).
        if (state.Count == 0) return new AdamReplica(request.Version, parameters, optimizerStep, null, null);
        if (state.Count != 2 || state[0].Name != "adam.m" || state[1].Name != "adam.v" || state.Any(t => t.Bytes.Length != parameters.Length))
            throw new InvalidDataException($"optimiser state of run {runId}: expected adam.m and adam.v of {parameters.Length / sizeof(float)} values, got {string.Join(", ", state.Select(t => $"{t.Name} ({t.Bytes.Length} bytes)"))}");
        return new AdamReplica(request.Version, parameters, optimizerStep,
            MemoryMarshal.Cast<byte, float>(state[0].Bytes).ToArray(), MemoryMarshal.Cast<byte, float>(state[1].Bytes).ToArray());
    }
}
