using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace MetaCluster.DataPlane.Security;

/// <summary>The token every gRPC call must carry, or null when none is required (loopback).</summary>
public sealed record ApiCredentials(string? Token);

/// <summary>
/// Requires <c>authorization: Bearer &lt;token&gt;</c> on every call but the gRPC health service
/// (Kubernetes probes carry no credentials). Compares in constant time. The scheme's name is
/// matched in any case (RFC 6750 and RFC 9110: "bearer" and "BEARER" are the same scheme).
/// </summary>
public sealed class BearerTokenInterceptor(ApiCredentials credentials) : Interceptor
{
    private const string HealthService = "/grpc.health.v1.Health/";

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
        if (credentials.Token is null || context.Method.StartsWith(HealthService, StringComparison.Ordinal)) return;
        string? header = context.RequestHeaders.GetValue("authorization");
        if (!Matches(header, credentials.Token))
            throw new RpcException(new Status(StatusCode.Unauthenticated, header is null ? "this server requires 'authorization: Bearer <token>'" : "invalid token"));
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
