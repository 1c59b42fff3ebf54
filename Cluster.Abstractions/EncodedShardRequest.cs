using Google.Protobuf;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Abstractions;

/// <summary>
/// A <see cref="ShardRequest"/> in its Protobuf encoding. The versioned proto message is the one
/// contract for a shard; the Orleans control call only carries it.
/// </summary>
[GenerateSerializer, Immutable, Alias("MetaCluster.EncodedShardRequest")]
public sealed record EncodedShardRequest([property: Id(0)] byte[] Bytes)
{
    /// <summary>Encodes a request.</summary>
    public static EncodedShardRequest From(ShardRequest request) => new(request.ToByteArray());

    /// <summary>Decodes the request.</summary>
    public ShardRequest Decode() => ShardRequest.Parser.ParseFrom(Bytes);
}
