using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;

namespace MetaCluster.Client;

/// <summary>The gRPC channel of a client: TLS, the bearer token and the retry policy.</summary>
internal static class ClientChannel
{
    /// <summary>
    /// UNAVAILABLE (nothing reached the server, or it is restarting) is retried with backoff;
    /// nothing else is, INVALID_ARGUMENT above all: the same request would fail the same way.
    /// StartRun is safe to repeat because every request carries a request id.
    /// </summary>
    public static ServiceConfig RetryConfig(int maxAttempts) => new()
    {
        MethodConfigs =
        {
            new MethodConfig
            {
                Names = { MethodName.Default },
                RetryPolicy = new RetryPolicy
                {
                    MaxAttempts = maxAttempts,
                    InitialBackoff = TimeSpan.FromMilliseconds(200),
                    MaxBackoff = TimeSpan.FromSeconds(3),
                    BackoffMultiplier = 2,
                    RetryableStatusCodes = { StatusCode.Unavailable },
                },
            },
        },
    };

    /// <summary>A channel to <paramref name="address"/> and the call invoker that adds the token.</summary>
    public static (GrpcChannel Channel, CallInvoker Invoker, HttpMessageHandler? OwnedHandler) Open(Uri address, MetaClusterClientOptions options)
    {
        if (!address.IsAbsoluteUri || address.Scheme is not ("http" or "https"))
            throw new ArgumentException($"the coordinator address must be an http(s) URL, got '{address}'", nameof(address));
        if (options.MaxAttempts is < 1 or > 10) throw new ArgumentOutOfRangeException(nameof(options), "MaxAttempts must be between 1 and 10");
        var owned = options.HttpHandler is null ? Handler(options) : null;
        var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = options.HttpHandler ?? owned,
            DisposeHttpClient = false,
            ServiceConfig = options.MaxAttempts > 1 ? RetryConfig(options.MaxAttempts) : null,
            MaxReceiveMessageSize = options.MaxReceiveMessageSize,
        });
        string? token = string.IsNullOrEmpty(options.Token) ? null : options.Token;
        // A header rather than CallCredentials: those are refused on http://, and a coordinator on
        // loopback with a token is a normal set-up.
        CallInvoker invoker = token is null
            ? channel.CreateCallInvoker()
            : channel.Intercept(metadata =>
            {
                metadata.Add("authorization", $"Bearer {token}");
                return metadata;
            });
        return (channel, invoker, owned);
    }

    private static SocketsHttpHandler Handler(MetaClusterClientOptions options)
    {
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (options.ClientCertificate is { } certificate) handler.SslOptions.ClientCertificates = [certificate];
        if (options.ServerCertificateAuthority is { } authority)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, server, _, errors) => IsIssuedBy(server, errors, authority);
        return handler;
    }

    // A private authority replaces the machine's trust store; the host name must still match.
    private static bool IsIssuedBy(X509Certificate? server, SslPolicyErrors errors, X509Certificate2 authority)
    {
        if (server is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var certificate = new X509Certificate2(server);
        return chain.Build(certificate);
    }
}
