using MetaCluster.TaskWorker.DataPlane;
using MetaCluster.TaskWorker.Execution;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MetaCluster.TaskWorker.Hosting;

/// <summary>Registers what a silo needs to host worker grains.</summary>
public static class TaskWorkerHostingExtensions
{
    /// <summary>Adds the worker services and a hosted service that starts this process's workers.</summary>
    public static IServiceCollection AddTaskWorkers(this IServiceCollection services, Action<WorkerOptions> configure)
    {
        services.Configure(configure);
        services.AddSingleton<DataPlaneChannels>();
        services.AddSingleton<ParameterCache>();
        services.AddSingleton<ShardResultSender>();
        services.AddSingleton<ShardRunner>();
        services.AddSingleton<RelationShardStore>();
        services.AddSingleton<WorkerFaults>();
        services.AddSingleton<Relay.RelaySessions>();
        services.AddSingleton<Relay.RelayParameters>();
        services.AddSingleton<Relay.RelayEndpoint>();
        // The relay listens before the workers announce themselves, so a plan never finds it missing.
        services.AddHostedService<Relay.RelayServer>();
        services.AddHostedService<WorkerStarter>();
        return services;
    }
}
