using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using MetaCluster.Protos.Api.V1;
using MetaCluster.ServiceDefaults.Hosting;

namespace MetaCluster.Tests.Processes;

/// <summary>The transport's edges: malformed messages, the Bearer scheme, the metrics port.</summary>
[Collection(ProcessCollection.Name)]
public sealed class TransportSecurityTests(RedisFixture redis)
{
    private const string Token = "transport-token";

    [Fact]
    public async Task TheBearerSchemeIsCaseInsensitive()
    {
        await using var cluster = await StartAsync();
        using var channel = GrpcChannel.ForAddress(cluster.ApiUrl);
        var client = new ClusterApi.ClusterApiClient(channel);
        // RFC 6750 and RFC 9110: "bearer" and "BEARER" name the same scheme.
        foreach (var scheme in new[] { "bearer", "BEARER", "Bearer" })
            await client.ListRunsAsync(new ListRunsRequest(), new Metadata { { "authorization", $"{scheme} {Token}" } }, cancellationToken: TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task MalformedMessagesAreInvalidArgumentAndTheCoordinatorServesOn()
    {
        await using var cluster = await StartAsync();
        using var channel = GrpcChannel.ForAddress(cluster.ApiUrl);
        var ct = TestContext.Current.CancellationToken;
        // A truncated length-delimited field: not a Protobuf message, for a unary call, a server stream and a client stream.
        byte[] garbage = [0x0A, 0x05, 0x01];
        var headers = new Metadata { { "authorization", $"Bearer {Token}" } };
        var invoker = channel.CreateCallInvoker();
        var unary = await Assert.ThrowsAsync<RpcException>(() =>
            invoker.AsyncUnaryCall(Raw(MethodType.Unary, "metacluster.api.v1.ClusterApi", "StartRun"), null, new CallOptions(headers, cancellationToken: ct), garbage).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, unary.StatusCode);
        using var fetch = invoker.AsyncServerStreamingCall(Raw(MethodType.ServerStreaming, "metacluster.dataplane.v1.DataPlane", "GetParameters"), null,
            new CallOptions(headers, cancellationToken: ct), garbage);
        var streamed = await Assert.ThrowsAsync<RpcException>(() => fetch.ResponseStream.MoveNext(ct));
        Assert.Equal(StatusCode.InvalidArgument, streamed.StatusCode);
        using (var submit = invoker.AsyncClientStreamingCall(Raw(MethodType.ClientStreaming, "metacluster.dataplane.v1.DataPlane", "SubmitShardResult"), null,
                   new CallOptions(headers, cancellationToken: ct)))
        {
            await submit.RequestStream.WriteAsync(garbage, ct);
            await submit.RequestStream.CompleteAsync();
            var submitted = await Assert.ThrowsAsync<RpcException>(() => submit.ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, submitted.StatusCode);
        }
        await cluster.Client.ListRunsAsync(new ListRunsRequest(), cancellationToken: ct);
    }

    [Fact]
    public async Task MetricsOffLoopbackNeedTheTokenAndHealthDoesNot()
    {
        int metricsPort = FreePorts.Next(IPAddress.Any);
        await using var cluster = await StartAsync(metricsPort);
        var ct = TestContext.Current.CancellationToken;
        // /metrics names runs, losses and the host.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}"), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/metrics", ct)).StatusCode);
        using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { "Authorization", $"Bearer {Token}" } } };
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(scrape, ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz", ct)).StatusCode);
    }

    // A token coordinator with its API on every interface (reached over loopback), as in Kubernetes.
    private async Task<ProcessCluster> StartAsync(int metricsPort = 0)
    {
        var cluster = new ProcessCluster(redis.Address, token: Token, name: "wire");
        try
        {
            await cluster.StartCoordinatorAsync(api: "0.0.0.0", metricsPort: metricsPort);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private static Method<byte[], byte[]> Raw(MethodType type, string service, string name) =>
        new(type, service, name, Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
}
