using MetaCluster.TaskWorker.Health;
using System.Net;
using MetaCluster.DataPlane.Security;
using MetaCluster.DataPlane.Wire;
using MetaCluster.TaskWorker.DataPlane;
using MetaCluster.TaskWorker.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Hosting;
using MetaCluster.DataPlane.Transport;

namespace MetaCluster.TaskWorker.Relay;

/// <summary>
/// Serves this process's reduction relay (<see cref="RelayDataPlaneService"/>) on its own HTTP/2
/// port (<see cref="WorkerOptions.RelayPort"/>; 0 picks a free one, negative runs none), with the
/// data plane's window sizes. Off loopback every call must carry the cluster's bearer token, as at
/// the coordinator (gRPC health excepted). It also answers grpc.health.v1 with the process's checks.
/// </summary>
public sealed partial class RelayServer(IOptions<WorkerOptions> options, RelaySessions sessions, RelayParameters parameters,
    RelayEndpoint endpoint, IServiceProvider services, ILogger<RelayServer> logger) : IHostedService
{
    private WebApplication? app;

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (o.RelayPort < 0) return;
        bool loopback = IPAddress.IsLoopback(o.RelayAddress);
        if (!loopback && o.Token is null)
        {
            LogNoRelay(o.RelayAddress.ToString());
            return;
        }
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            DataPlaneKestrel.Configure(k);
            k.Listen(loopback ? o.RelayAddress : IPAddress.Any, o.RelayPort, l => l.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddSingleton(sessions).AddSingleton(parameters);
        builder.Services.AddSingleton(new ApiCredentials(loopback ? null : o.Token));
        builder.Services.AddGrpc(g =>
        {
            g.MaxReceiveMessageSize = DataPlaneChannels.MaxMessageBytes;
            g.Interceptors.Add<BearerTokenInterceptor>();
        });
        builder.Services.AnswerMalformedRequestsWithInvalidArgument();
        bool health = ProcessHealth.ShareWith(services, builder.Services);
        app = builder.Build();
        app.MapGrpcService<RelayDataPlaneService>();
        if (health) app.MapGrpcHealthChecksService();
        await app.StartAsync(cancellationToken);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        int port = new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal)).Port;
        string host = o.RelayAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{o.RelayAddress}]" : o.RelayAddress.ToString();
        endpoint.Url = $"http://{host}:{port}";
        LogRelayListening(endpoint.Url);
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (app is null) return;
        await app.StopAsync(cancellationToken);
        await app.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reduction relay listening at {Url}")]
    private partial void LogRelayListening(string url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No reduction relay: {Address} is not loopback and no token was given")]
    private partial void LogNoRelay(string address);
}
