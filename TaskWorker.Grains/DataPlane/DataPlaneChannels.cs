using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using MetaCluster.DataPlane.Security;
using MetaCluster.DataPlane.Wire;
using MetaCluster.TaskWorker.Hosting;
using Microsoft.Extensions.Options;
using MetaCluster.DataPlane.Transport;
using DataPlaneContract = MetaCluster.Protos.DataPlane.V1.DataPlane;

namespace MetaCluster.TaskWorker.DataPlane;

/// <summary>One gRPC channel per coordinator address, shared by all workers of the process.</summary>
/// <param name="options">The worker's options (its token).</param>
/// <param name="handler">Replaces the default HTTP handler of every channel (benchmarks count bytes through it); null for the default.</param>
/// <param name="local">The coordinator's data plane when it runs in this process and is to be called without the network; null for gRPC everywhere.</param>
public sealed class DataPlaneChannels(IOptions<WorkerOptions> options, Func<HttpMessageHandler>? handler = null, InProcessDataPlane? local = null) : IDisposable
{
    /// <summary>Largest message accepted: a chunk plus its framing, with room to spare.</summary>
    public const int MaxMessageBytes = DataPlaneTransport.MaxMessageBytes;

    private readonly ConcurrentDictionary<string, GrpcChannel> channels = new();

    /// <summary>A client for the data plane at <paramref name="url"/>.</summary>
    public DataPlaneContract.DataPlaneClient Client(string url)
    {
        if (local is not null && local.Serves(url)) return new(local.Invoker);
        var channel = channels.GetOrAdd(url, u => DataPlaneTransport.CreateChannel(u, handler?.Invoke() ?? TlsHandler()));
        string? token = options.Value.Token;
        return token is null
            ? new(channel)
            : new(channel.Intercept(metadata =>
            {
                metadata.Add("authorization", $"Bearer {token}");
                return metadata;
            }));
    }

    // mTLS: the data plane's handler, presenting this process's certificate and trusting the
    // cluster's own authority; null (the default handler) when none is configured.
    private SocketsHttpHandler? TlsHandler()
    {
        var o = options.Value;
        if (o.TlsClientCertificate is null && o.TlsCa is null) return null;
        var tls = DataPlaneTransport.CreateHandler();
        if (o.TlsClientCertificate is not null)
            tls.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(o.TlsClientCertificate, o.TlsClientKey)];
        if (o.TlsCa is not null)
        {
            var authority = ClusterCertificates.LoadAuthority(o.TlsCa);
            tls.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate is not null && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
                && ClusterCertificates.IsIssuedBy(certificate as X509Certificate2 ?? new X509Certificate2(certificate), authority);
        }
        return tls;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var channel in channels.Values) channel.Dispose();
    }
}
