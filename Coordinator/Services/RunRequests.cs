using Grpc.Core;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Protos.Api.V1;

namespace MetaCluster.Coordinator.Services;

/// <summary>The limits of what a StartRun request may carry besides its definition: the request id, the name, the tags.</summary>
public static class RunRequests
{
    /// <summary>The run record the request asks for; INVALID_ARGUMENT naming the field when it exceeds a limit.</summary>
    public static RunRecord Check(StartRunRequest request)
    {
        if (request.RequestId.Length > 128) Fail("request_id is longer than 128 characters");
        if (request.Name.Length > 200) Fail("name is longer than 200 characters");
        if (request.Tags.Count > 50) Fail($"tags has {request.Tags.Count} entries, more than 50");
        foreach (var (key, value) in request.Tags)
        {
            if (key.Length is 0 or > 64) Fail("tags: a key must have 1 to 64 characters");
            if (value.Length > 256) Fail($"tags['{key}'] is longer than 256 characters");
        }
        return new RunRecord { RequestId = request.RequestId, Name = request.Name, Tags = new Dictionary<string, string>(request.Tags) };
    }

    private static void Fail(string message) => throw new RpcException(new Status(StatusCode.InvalidArgument, message));
}
