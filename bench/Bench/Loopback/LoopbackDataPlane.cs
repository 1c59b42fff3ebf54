using MetaCluster.DataPlane.Wire;
using System.Net;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Hosting;
using MetaCluster.Coordinator.Services;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MetaCluster.DataPlane.Transport;
using MetaCluster.Bench.Capacity;
using MetaCluster.Coordinator.Steps;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MetaCluster.Bench.Loopback;

/// <summary>
/// A coordinator's data plane on a loopback port, for the benchmarks: the real
/// <see cref="DataPlaneService"/> with the coordinator's own services (parameter store, result
/// inbox, step collectors, ordered gradient sum) in Kestrel over HTTP/2, as the embedded cluster
/// hosts it, without Orleans: the rounds and meta-steps of <see cref="CoordinatorServiceCollectionExtensions.AddCoordinator"/> reach
/// simulated workers through <see cref="SimulatedWorkerCalls"/> and <see cref="SimulatedRoster"/>
/// in place of the grain-based calls and roster.
/// </summary>
public sealed class LoopbackDataPlane : IAsyncDisposable
{
    private readonly WebApplication app;

    private LoopbackDataPlane(WebApplication app, string url)
    {
        this.app = app;
        Url = url;
    }

    /// <summary>Where workers reach it, e.g. http://127.0.0.1:41234.</summary>
    public string Url { get; }

    /// <summary>The published parameters.</summary>
    public ParameterStore Parameters => app.Services.GetRequiredService<ParameterStore>();

    /// <summary>What publishes them.</summary>
    public ParameterPublisher Publisher => app.Services.GetRequiredService<ParameterPublisher>();

    /// <summary>The secrets of the runs' live assignments, which reads of their parameters must carry.</summary>
    public AssignmentSecrets Secrets => app.Services.GetRequiredService<AssignmentSecrets>();

    /// <summary>The collectors of the runs' current steps.</summary>
    public ShardResultInbox Inbox => app.Services.GetRequiredService<ShardResultInbox>();

    /// <summary>Picks a run's meta-step and builds it on the real rounds.</summary>
    public MetaSteps MetaSteps => app.Services.GetRequiredService<MetaSteps>();

    /// <summary>Where the rounds' worker calls go: the simulated-worker process attached to it.</summary>
    public SimulatedWorkerCalls WorkerCalls => app.Services.GetRequiredService<SimulatedWorkerCalls>();

    /// <summary>The live workers the rounds see.</summary>
    public SimulatedRoster Roster => app.Services.GetRequiredService<SimulatedRoster>();

    /// <summary>Bytes the service counted.</summary>
    public DataPlaneMetrics Metrics => app.Services.GetRequiredService<DataPlaneMetrics>();

    /// <summary>Starts listening on a free loopback port.</summary>
    public static async Task<LoopbackDataPlane> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            DataPlaneKestrel.Configure(k);
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddCoordinator();
        builder.Services.AddSingleton<SimulatedWorkerCalls>();
        builder.Services.AddSingleton<SimulatedRoster>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IWorkerCalls>(s => s.GetRequiredService<SimulatedWorkerCalls>()));
        builder.Services.Replace(ServiceDescriptor.Singleton<IWorkerRoster>(s => s.GetRequiredService<SimulatedRoster>()));
        var app = builder.Build();
        app.MapGrpcService<DataPlaneService>();
        await app.StartAsync(cancellationToken);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackDataPlane(app, address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
