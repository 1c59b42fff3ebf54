using Grpc.Core;

namespace MetaCluster.Client;

/// <summary>Turns every <see cref="RpcException"/> of a call into a <see cref="MetaClusterException"/> carrying the server's line.</summary>
/// <param name="address">The coordinator, named when it cannot be reached.</param>
internal sealed class ApiCalls(Uri address)
{
    public async Task<T> Unary<T>(AsyncUnaryCall<T> call, CancellationToken cancellationToken)
    {
        using (call)
        {
            try
            {
                return await call.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (RpcException e)
            {
                throw MetaClusterException.From(e, address);
            }
        }
    }

    /// <summary>The messages of a server stream, with its errors mapped.</summary>
    public async IAsyncEnumerable<T> Stream<T>(AsyncServerStreamingCall<T> call,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using (call)
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException(cancellationToken);
                }
                catch (RpcException e)
                {
                    throw MetaClusterException.From(e, address);
                }
                if (!more) yield break;
                yield return call.ResponseStream.Current;
            }
        }
    }
}
