using Grpc.Core;

namespace MetaCluster.Client;

/// <summary>Turns every <see cref="RpcException"/> of a call into a <see cref="MetaClusterException"/> carrying the server's line.</summary>
internal static class ApiCalls
{
    public static async Task<T> Unary<T>(AsyncUnaryCall<T> call, CancellationToken cancellationToken)
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
                throw MetaClusterException.From(e);
            }
        }
    }

    /// <summary>The messages of a server stream, with its errors mapped.</summary>
    public static async IAsyncEnumerable<T> Stream<T>(AsyncServerStreamingCall<T> call,
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
                    throw MetaClusterException.From(e);
                }
                if (!more) yield break;
                yield return call.ResponseStream.Current;
            }
        }
    }
}
