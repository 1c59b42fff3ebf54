using MetaCluster.TaskWorker.DataPlane;
using MetaCluster.TaskWorker.Execution;
using MetaCluster.TaskWorker.Grains;
using MetaCluster.TaskWorker.Relay;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MetaCluster.TaskWorker.Hosting;

/// <summary>Registers what a silo needs to host worker grains.</summary>
public static class TaskWorkerHostingExtensions
{
    /// <summary>The grain classes of this library: what a silo that hosts workers adds to the ones it hosts.</summary>
    public static IReadOnlyList<Type> GrainClasses { get; } = [typeof(TaskWorkerGrain)];

    /// <summary>Adds the worker services and a hosted service that starts this process's workers.</summary>
    public static IServiceCollection AddTaskWorkers(this IServiceCollection services, Action<WorkerOptions> configure)
    {
        services.Configure(configure);
        services.AddSingleton<DataPlaneChannels>();
        services.AddSingleton<ParameterCache>();
        services.AddSingleton<ShardResultSender>();
        services.AddSingleton<ResultDelivery>();
        services.AddSingleton<TrainingWork>();
        services.AddSingleton<RelationWork>();
        services.AddSingleton<RelationShardStore>();
        services.AddSingleton<IWorkRunner, ShardRunner>();
        services.AddSingleton<RelayParameters>();
        services.AddSingleton<IForwardedGradients>(sp => sp.GetRequiredService<RelayParameters>());
        services.AddSingleton<IRelayForwarder, RelayForwarder>();
        services.AddSingleton<RelaySessions>();
        services.AddSingleton<RelayEndpoint>();
        // The relay listens before the workers announce themselves, so a plan never finds it missing.
        services.AddHostedService<RelayServer>();
        services.AddSingleton<WorkerStarter>();
        services.AddHostedService(sp => sp.GetRequiredService<WorkerStarter>());
        return services;
    }
}
