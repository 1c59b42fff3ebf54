using Grpc.Core;

namespace MetaCluster.Client;

/// <summary>
/// A call to the coordinator failed. <see cref="Exception.Message"/> is the coordinator's own one line
/// (e.g. <c>definition.algorithm: protonet is for classification …</c>); <see cref="StatusCode"/> says
/// what kind of failure it is: <see cref="Grpc.Core.StatusCode.InvalidArgument"/> for bad input,
/// <see cref="Grpc.Core.StatusCode.NotFound"/> for an unknown run,
/// <see cref="Grpc.Core.StatusCode.Unauthenticated"/> for a missing or wrong token,
/// <see cref="Grpc.Core.StatusCode.Unavailable"/> when the coordinator could not be reached (after retries).
/// </summary>
public sealed class MetaClusterException : Exception
{
    /// <summary>A failure of kind <paramref name="statusCode"/> with the coordinator's message.</summary>
    public MetaClusterException(StatusCode statusCode, string message, Exception? innerException = null)
        : base(message, innerException) => StatusCode = statusCode;

    /// <summary>The gRPC status of the failure.</summary>
    public StatusCode StatusCode { get; }

    /// <summary>True when the request itself was wrong (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION): sending it again will not help.</summary>
    public bool IsUserError => StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.FailedPrecondition or StatusCode.OutOfRange;

    internal static MetaClusterException From(RpcException e, Uri address)
    {
        string detail = string.IsNullOrWhiteSpace(e.Status.Detail) ? e.StatusCode.ToString() : e.Status.Detail;
        string message = e.StatusCode switch
        {
            StatusCode.Unavailable => $"cannot reach the coordinator at {address}: {detail}",
            StatusCode.Unauthenticated or StatusCode.PermissionDenied => $"the coordinator refused the credentials: {detail}",
            StatusCode.DeadlineExceeded => $"the coordinator did not answer in time: {detail}",
            _ => detail,
        };
        return new MetaClusterException(e.StatusCode, message, e);
    }
}
