using System.Threading.Channels;
using Grpc.Core;
using MetaCluster.Protos.DataPlane.V1;
using DataPlaneContract = MetaCluster.Protos.DataPlane.V1.DataPlane;

namespace MetaCluster.DataPlane.Transport;

/// <summary>
/// A gRPC <see cref="CallInvoker"/> for a data plane <paramref name="service"/> living in the same
/// process (the embedded cluster): the client's messages are handed to the service's handlers as
/// objects, through in-memory streams, with no HTTP/2, sockets or serialisation. Client and service
/// code stay exactly those of the networked path (chunking, validation, acknowledgements,
/// <see cref="RpcException"/>s); only the transport is gone.
/// </summary>
public sealed class InProcessDataPlaneInvoker(DataPlaneContract.DataPlaneBase service) : CallInvoker
{
    /// <inheritdoc/>
    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        Require(method, MethodType.ServerStreaming);
        var responses = Channel.CreateUnbounded<TResponse>(new UnboundedChannelOptions { SingleReader = true });
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
        var context = new InProcessServerCallContext(method.FullName, cancellation.Token);
        var writer = new ChannelStreamWriter<TResponse>(responses.Writer);
        _ = Task.Run(async () =>
        {
            try
            {
                var chunks = (IServerStreamWriter<TensorChunk>)(object)writer;
                await ((method.Name, request) switch
                {
                    (nameof(service.GetParameters), GetParametersRequest parameters) => service.GetParameters(parameters, chunks, context),
                    (nameof(service.GetOptimizerState), GetParametersRequest parameters) => service.GetOptimizerState(parameters, chunks, context),
                    (nameof(service.GetUpstreamGradients), ShardKey key) => service.GetUpstreamGradients(key, chunks, context),
                    _ => throw Unsupported(method),
                });
                responses.Writer.TryComplete();
            }
            catch (Exception e)
            {
                responses.Writer.TryComplete(AsRpcException(e));
            }
        });
        return new AsyncServerStreamingCall<TResponse>(
            new ChannelStreamReader<TResponse>(responses.Reader, cancellation.Token),
            Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [],
            () => { cancellation.Cancel(); cancellation.Dispose(); });
    }

    /// <inheritdoc/>
    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        Require(method, MethodType.ClientStreaming);
        var requests = Channel.CreateUnbounded<TRequest>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
        var context = new InProcessServerCallContext(method.FullName, cancellation.Token);
        var response = Task.Run(async () =>
        {
            try
            {
                var parts = (IAsyncStreamReader<ShardResultPart>)(object)new ChannelStreamReader<TRequest>(requests.Reader, cancellation.Token);
                return (TResponse)(object)await service.SubmitShardResult(parts, context);
            }
            catch (Exception e)
            {
                // Like a server that ends the call: the client's further writes fail.
                requests.Writer.TryComplete();
                throw AsRpcException(e);
            }
        });
        return new AsyncClientStreamingCall<TRequest, TResponse>(
            new ChannelStreamWriter<TRequest>(requests.Writer, response), response,
            Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [],
            () => { cancellation.Cancel(); cancellation.Dispose(); });
    }

    /// <inheritdoc/>
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw Unsupported(method);

    /// <inheritdoc/>
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        Require(method, MethodType.Unary);
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
        var context = new InProcessServerCallContext(method.FullName, cancellation.Token);
        var response = Task.Run(async () =>
        {
            try
            {
                return (TResponse)(object)await ((method.Name, request) switch
                {
                    (nameof(service.GetParameterUpdate), GetParametersRequest parameters) => service.GetParameterUpdate(parameters, context),
                    _ => throw Unsupported(method),
                });
            }
            catch (Exception e)
            {
                throw AsRpcException(e);
            }
        });
        return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [],
            () => { cancellation.Cancel(); cancellation.Dispose(); });
    }

    /// <inheritdoc/>
    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw Unsupported(method);

    private static void Require<TRequest, TResponse>(Method<TRequest, TResponse> method, MethodType type)
    {
        bool known = method.FullName == $"/{DataPlaneContract.Descriptor.FullName}/{method.Name}"
            && DataPlaneContract.Descriptor.FindMethodByName(method.Name) is not null;
        if (!known || method.Type != type) throw Unsupported(method);
    }

    private static RpcException Unsupported<TRequest, TResponse>(Method<TRequest, TResponse> method) =>
        new(new Status(StatusCode.Unimplemented, $"{method.FullName} is not served in process"));

    private static RpcException AsRpcException(Exception e) => e switch
    {
        RpcException rpc => rpc,
        OperationCanceledException => new RpcException(new Status(StatusCode.Cancelled, e.Message)),
        _ => new RpcException(new Status(StatusCode.Unknown, e.Message)),
    };

    private sealed class ChannelStreamReader<T>(ChannelReader<T> reader, CancellationToken callCancelled) : IAsyncStreamReader<T>
    {
        public T Current { get; private set; } = default!;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            // One message per call: link the two tokens only when the caller brings its own.
            using var both = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callCancelled) : null;
            var token = both?.Token ?? callCancelled;
            if (!await reader.WaitToReadAsync(token)) return false;
            Current = await reader.ReadAsync(token);
            return true;
        }
    }

    // A client's writer (with the call's response) or a server's. A write after the server ended the
    // call fails with the call's own status, as over gRPC, not with whichever came first.
    private sealed class ChannelStreamWriter<T>(ChannelWriter<T> writer, Task? response = null) : IClientStreamWriter<T>, IServerStreamWriter<T>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

        public Task WriteAsync(T message, CancellationToken cancellationToken) =>
            writer.TryWrite(message) ? Task.CompletedTask : CallEndedAsync();

        private async Task CallEndedAsync()
        {
            if (response is not null) await response; // throws the server's error, if it ended with one
            throw new RpcException(new Status(StatusCode.Cancelled, "the call has ended"));
        }

        public Task CompleteAsync()
        {
            writer.TryComplete();
            return Task.CompletedTask;
        }
    }
}

/// <summary>The call context an in-process handler sees: the method, the call's cancellation, no peer or headers.</summary>
internal sealed class InProcessServerCallContext(string method, CancellationToken cancellationToken) : ServerCallContext
{
    private readonly Metadata trailers = [];

    protected override string MethodCore => method;
    protected override string HostCore => "in-process";
    protected override string PeerCore => "in-process";
    protected override DateTime DeadlineCore => DateTime.MaxValue;
    protected override Metadata RequestHeadersCore { get; } = [];
    protected override CancellationToken CancellationTokenCore => cancellationToken;
    protected override Metadata ResponseTrailersCore => trailers;
    protected override Status StatusCore { get; set; }
    protected override WriteOptions? WriteOptionsCore { get; set; }
    protected override AuthContext AuthContextCore => new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException("in-process calls do not propagate");

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
