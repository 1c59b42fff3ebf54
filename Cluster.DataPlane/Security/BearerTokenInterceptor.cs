using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace MetaCluster.DataPlane.Security;

/// <summary>
/// The tokens a server's gRPC calls must carry, by who calls: users (the public API and its
/// reflection) and workers (the data plane: results, parameters, a relay's optimiser state, and
/// cluster admission). Null means that role needs none (loopback). A user token cannot call the
/// data plane, and a worker token cannot start, stop or read runs through the public API.
/// </summary>
/// <param name="UserToken">The token of the public API.</param>
/// <param name="WorkerToken">The token of the data plane; by default the user token (one shared token).</param>
public sealed record ApiCredentials(string? UserToken, string? WorkerToken)
{
    /// <summary>One token for both roles (a single-tenant cluster, or a relay that serves only workers).</summary>
    public ApiCredentials(string? token) : this(token, token) { }

    /// <summary>The token of the worker role: what a worker proves to be admitted.</summary>
    public string? Token => WorkerToken;

    /// <summary>True when users and workers hold different tokens.</summary>
    public bool Separated => UserToken != WorkerToken;
}

/// <summary>
/// Requires <c>authorization: Bearer &lt;token&gt;</c> on every call but the gRPC health service
/// (Kubernetes probes carry no credentials): the worker token on the data plane, the user token on
/// everything else. Compares in constant time. The scheme's name is matched in any case (RFC 6750
/// and RFC 9110: "bearer" and "BEARER" are the same scheme).
/// </summary>
public sealed class BearerTokenInterceptor(ApiCredentials credentials) : Interceptor
{
    private const string HealthService = "/grpc.health.v1.Health/";
    private const string DataPlaneService = "/metacluster.dataplane.v1.DataPlane/";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Check(ServerCallContext context)
    {
        if (context.Method.StartsWith(HealthService, StringComparison.Ordinal)) return;
        bool dataPlane = context.Method.StartsWith(DataPlaneService, StringComparison.Ordinal);
        string? token = dataPlane ? credentials.WorkerToken : credentials.UserToken;
        if (token is null) return;
        string? header = context.RequestHeaders.GetValue("authorization");
        if (Matches(header, token)) return;
        if (header is null) throw new RpcException(new Status(StatusCode.Unauthenticated, "this server requires 'authorization: Bearer <token>'"));
        // The other role's token: known, but not allowed here.
        string? other = dataPlane ? credentials.UserToken : credentials.WorkerToken;
        if (credentials.Separated && other is not null && Matches(header, other))
            throw new RpcException(new Status(StatusCode.PermissionDenied, dataPlane ? "a user token cannot call the data plane" : "a worker token cannot call the public API"));
        throw new RpcException(new Status(StatusCode.Unauthenticated, "invalid token"));
    }

    /// <summary>
    /// True when <paramref name="header"/> (an <c>authorization</c> value, or null) is
    /// <c>Bearer &lt;token&gt;</c>, the scheme in any case; compares the token in constant time.
    /// </summary>
    public static bool Matches(string? header, string token)
    {
        const string prefix = "Bearer ";
        if (header is null || !header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
        var given = Encoding.UTF8.GetBytes(header[prefix.Length..].Trim());
        var expected = Encoding.UTF8.GetBytes(token);
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }
}
