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
    public async Task MalformedMessagesAreInvalidArgumentBearerIsCaseInsensitiveAndMetricsOffLoopbackNeedTheToken()
    {
        await using var cluster = new ProcessCluster(redis.Address, token: Token, name: "wire");
        int metricsPort = FreePorts.Next(IPAddress.Any);
        await cluster.StartCoordinatorAsync(api: "0.0.0.0", metricsPort: metricsPort);
        using var channel = GrpcChannel.ForAddress(cluster.ApiUrl);
        var ct = TestContext.Current.CancellationToken;

        // RFC 6750: the scheme's name is case-insensitive.
        var lower = new ClusterApi.ClusterApiClient(channel);
        await lower.ListRunsAsync(new ListRunsRequest(), new Metadata { { "authorization", $"bearer {Token}" } }, cancellationToken: ct);

        // A truncated length-delimited field: not a Protobuf message, for a unary call, a server stream and a client stream.
        byte[] garbage = [0x0A, 0x05, 0x01];
        var headers = new Metadata { { "authorization", $"BEARER {Token}" } };
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
        // The coordinator keeps serving.
        await cluster.Client.ListRunsAsync(new ListRunsRequest(), cancellationToken: ct);

        // /metrics names runs, losses and the host: with the API off loopback it needs the token; /healthz does not.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}"), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/metrics", ct)).StatusCode);
        using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { "Authorization", $"Bearer {Token}" } } };
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(scrape, ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz", ct)).StatusCode);
    }

    private static Method<byte[], byte[]> Raw(MethodType type, string service, string name) =>
        new(type, service, name, Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
}
