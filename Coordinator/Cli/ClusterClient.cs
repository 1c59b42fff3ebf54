using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using MetaCluster.ServiceDefaults.Options;
using MetaCluster.Protos.Api.V1;

namespace MetaCluster.Coordinator.Cli;

/// <summary>A client of a running coordinator's public API, with the token from --token or CLUSTER_TOKEN.</summary>
public static class ClusterClient
{
    /// <summary>Options every client verb takes.</summary>
    public static readonly string[] ConnectionOptions = ["coordinator", "token"];

    // A coordinator restarting or a dropped connection is retried a few times with backoff; StartRun
    // is safe to repeat because it carries a request id.
    private static readonly Grpc.Net.Client.Configuration.ServiceConfig RetryingServiceConfig = new()
    {
        MethodConfigs =
        {
            new Grpc.Net.Client.Configuration.MethodConfig
            {
                Names = { Grpc.Net.Client.Configuration.MethodName.Default },
                RetryPolicy = new Grpc.Net.Client.Configuration.RetryPolicy
                {
                    MaxAttempts = 5, InitialBackoff = TimeSpan.FromMilliseconds(200), MaxBackoff = TimeSpan.FromSeconds(3), BackoffMultiplier = 2,
                    RetryableStatusCodes = { StatusCode.Unavailable },
                },
            },
        },
    };

    /// <summary>Connects to <c>--coordinator URL</c>.</summary>
    public static (ClusterApi.ClusterApiClient Client, GrpcChannel Channel) Connect(OptionReader options)
    {
        string url = options.OptionalString("coordinator") ?? throw new UsageException("--coordinator URL is required (e.g. http://127.0.0.1:7100)");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new UsageException($"--coordinator must be an http(s) URL; got '{url}'");
        string? token = options.OptionalString("token") ?? Environment.GetEnvironmentVariable("CLUSTER_TOKEN");
        var channel = GrpcChannel.ForAddress(uri, new GrpcChannelOptions { ServiceConfig = RetryingServiceConfig, MaxReceiveMessageSize = 16 << 20 });
        CallInvoker invoker = string.IsNullOrEmpty(token)
            ? channel.CreateCallInvoker()
            : channel.Intercept(metadata =>
            {
                metadata.Add("authorization", $"Bearer {token}");
                return metadata;
            });
        return (new ClusterApi.ClusterApiClient(invoker), channel);
    }
}
