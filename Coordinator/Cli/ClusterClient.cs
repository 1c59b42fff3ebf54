using System.CommandLine;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using MetaCluster.Protos.Api.V1;
using MetaCluster.ServiceDefaults.Options;
using static MetaCluster.ServiceDefaults.Options.CheckedOptions;

namespace MetaCluster.Coordinator.Cli;

/// <summary>
/// A client of a running coordinator's public API for the client verbs: their connection options
/// (<c>--coordinator URL</c>, <c>--token</c> or CLUSTER_TOKEN), the channel, and the server's verdict
/// on bad input (bad option, unknown run, missing credentials) as one line, exit code 2.
/// </summary>
public sealed class ClusterClient
{
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

    private readonly Option<string> coordinator = new("--coordinator")
    {
        Description = "URL of the coordinator's public API (e.g. http://127.0.0.1:7100)", HelpName = "URL", Required = true,
        Validators =
        {
            r =>
            {
                string url = r.GetValueOrDefault<string>();
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                    r.AddError($"--coordinator must be an http(s) URL; got '{url}'");
            },
        },
    };

    private readonly Option<string?> token = OptionalText("--token", "bearer token of the API", "T", "CLUSTER_TOKEN");

    /// <summary>Adds the connection options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(coordinator);
        command.Options.Add(token);
    }

    /// <summary>Connects to the coordinator the parsed options name.</summary>
    public (ClusterApi.ClusterApiClient Client, GrpcChannel Channel) Connect(ParseResult result)
    {
        string? bearer = result.GetValue(token) ?? Environment.GetEnvironmentVariable("CLUSTER_TOKEN");
        var channel = GrpcChannel.ForAddress(result.GetValue(coordinator)!, new GrpcChannelOptions { ServiceConfig = RetryingServiceConfig, MaxReceiveMessageSize = 16 << 20 });
        CallInvoker invoker = string.IsNullOrEmpty(bearer)
            ? channel.CreateCallInvoker()
            : channel.Intercept(metadata =>
            {
                metadata.Add("authorization", $"Bearer {bearer}");
                return metadata;
            });
        return (new ClusterApi.ClusterApiClient(invoker), channel);
    }

    /// <summary>Makes a call; the server's verdict on bad input, or an unreachable server, is a <see cref="UsageException"/>.</summary>
    public static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.Unauthenticated
                                         or StatusCode.FailedPrecondition or StatusCode.PermissionDenied)
        {
            throw new UsageException($"{e.StatusCode}: {e.Status.Detail}");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
        {
            throw new UsageException($"cannot reach the coordinator: {e.Status.Detail}");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            throw new UsageException("the coordinator did not answer in time; try again");
        }
        catch (RpcException e)
        {
            // Anything else is the server's failure, still one line and no stack trace.
            throw new UsageException($"the coordinator failed the call: {e.StatusCode}: {e.Status.Detail}");
        }
    }
}
