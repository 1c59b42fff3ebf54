using Grpc.Core;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.DataPlane.Wire;

/// <summary>
/// The server side of a <c>SubmitShardResult</c> stream, as every data-plane server (the
/// coordinator's, a worker process's relay) reads it: the header first, checked, then the parts.
/// </summary>
public static class ShardResultStreams
{
    /// <summary>
    /// Reads the stream's first message, which must be a well-formed header
    /// (<see cref="ResultHeaderRules"/>); throws <see cref="StatusCode.InvalidArgument"/> otherwise.
    /// </summary>
    public static async Task<ShardResultHeader> ReadHeaderAsync(IAsyncStreamReader<ShardResultPart> stream, CancellationToken cancellationToken)
    {
        if (!await stream.MoveNext(cancellationToken) || stream.Current.PartCase != ShardResultPart.PartOneofCase.Header)
            throw Invalid("the first message of a shard result must be its header");
        var header = stream.Current.Header;
        if (ResultHeaderRules.Problem(header) is { } problem) throw Invalid(problem);
        return header;
    }

    /// <summary>Reads and drops the rest of a result that will not be used.</summary>
    public static async Task DrainAsync(IAsyncStreamReader<ShardResultPart> stream, CancellationToken cancellationToken)
    {
        while (await stream.MoveNext(cancellationToken)) { }
    }

    /// <summary>The error a malformed result gets.</summary>
    public static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
