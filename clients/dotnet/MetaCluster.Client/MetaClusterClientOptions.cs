using System.Security.Cryptography.X509Certificates;

namespace MetaCluster.Client;

/// <summary>How a <see cref="MetaClusterClient"/> reaches and authenticates to a coordinator.</summary>
public sealed record MetaClusterClientOptions
{
    /// <summary>
    /// The coordinator's user token, sent as <c>authorization: Bearer …</c> on every call (a coordinator
    /// bound to anything but loopback requires it, or mTLS). Over <c>http://</c> it travels in clear:
    /// use <c>https://</c> outside loopback.
    /// </summary>
    public string? Token { get; init; }

    /// <summary>A client certificate (with its private key) for mTLS, presented over <c>https://</c>.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>
    /// The authority that issued the coordinator's certificate, when it is not in the machine's trust
    /// store (a private CA or a self-signed certificate): the server's chain must end at it.
    /// </summary>
    public X509Certificate2? ServerCertificateAuthority { get; init; }

    /// <summary>
    /// Attempts of a call that fails with UNAVAILABLE (a coordinator restarting, a dropped connection),
    /// with exponential backoff between them; 1 disables retries. Default 5.
    /// </summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The largest message the client accepts (predictions, file chunks). Default 16 MiB.</summary>
    public int MaxReceiveMessageSize { get; init; } = 16 << 20;

    /// <summary>
    /// The HTTP handler calls go through, for tests and proxies; when set, <see cref="ClientCertificate"/>
    /// and <see cref="ServerCertificateAuthority"/> are the handler's business. The client does not dispose it.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; init; }
}
