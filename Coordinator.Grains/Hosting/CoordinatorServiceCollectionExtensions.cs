using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Coordinator.Steps;
using MetaCluster.DataPlane.Transport;

namespace MetaCluster.Coordinator.Hosting;

/// <summary>Registers the coordinator's services.</summary>
public static class CoordinatorServiceCollectionExtensions
{
    /// <summary>The grain classes of this library: what a silo that coordinates runs hosts.</summary>
    public static IReadOnlyList<Type> GrainClasses { get; } = [typeof(MetaRunGrain), typeof(WorkerRegistryGrain)];

    /// <summary>Adds the data plane (gRPC) and the run machinery.</summary>
    public static IServiceCollection AddCoordinator(this IServiceCollection services)
    {
        services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = DataPlaneTransport.MaxMessageBytes;
            o.MaxSendMessageSize = DataPlaneTransport.MaxMessageBytes;
        });
        services.AddSingleton<LiveRuns>();
        services.AddSingleton<ParameterStore>();
        services.AddSingleton<AssignmentSecrets>();
        services.AddSingleton<ParameterPublisher>();
        services.AddSingleton<ShardResultInbox>();
        services.AddSingleton<UpstreamGradientStore>();
        services.AddSingleton<DataPlaneMetrics>();
        services.AddSingleton<DataPlaneEndpoint>();
        services.AddSingleton<IWorkerCalls, GrainWorkerCalls>();
        services.AddSingleton<IWorkerRoster, WorkerRoster>();
        services.AddSingleton<AttemptLoop>();
        services.AddSingleton<RoundRunner>();
        services.AddSingleton<DirectRound>();
        services.AddSingleton<RelayedRound>();
        services.AddSingleton<RelationRound>();
        services.AddSingleton<MetaSteps>();
        services.AddSingleton<RunEvaluation>();
        services.AddSingleton<RunValidation>();
        services.AddSingleton<Predictor>();
        services.AnswerMalformedRequestsWithInvalidArgument();
        return services;
    }
}
