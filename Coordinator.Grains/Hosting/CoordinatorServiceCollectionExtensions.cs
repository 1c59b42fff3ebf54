using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Runs;
using MetaCluster.DataPlane.Transport;

namespace MetaCluster.Coordinator.Hosting;

/// <summary>Registers the coordinator's services.</summary>
public static class CoordinatorServiceCollectionExtensions
{
    /// <summary>Adds the data plane (gRPC) and the run machinery.</summary>
    public static IServiceCollection AddCoordinator(this IServiceCollection services)
    {
        services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = DataPlaneTransport.MaxMessageBytes;
            o.MaxSendMessageSize = DataPlaneTransport.MaxMessageBytes;
        });
        services.AddSingleton<ParameterStore>();
        services.AddSingleton<ShardResultInbox>();
        services.AddSingleton<UpstreamGradientStore>();
        services.AddSingleton<DataPlaneMetrics>();
        services.AddSingleton<DataPlaneEndpoint>();
        services.AddSingleton<MetaStepExecutor>();
        services.AddSingleton<Predictor>();
        return services;
    }
}
