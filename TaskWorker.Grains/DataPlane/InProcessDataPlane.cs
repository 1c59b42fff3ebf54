using Grpc.Core;

namespace MetaCluster.TaskWorker.DataPlane;

/// <summary>
/// The coordinator's data plane when it runs in this very process (the embedded cluster with
/// <c>--data-plane in-process</c>): calls addressed to its URL go through <see cref="Invoker"/>,
/// straight to the service, instead of over gRPC on loopback.
/// </summary>
/// <param name="url">The data plane's URL, read when first needed (it is known once the server listens).</param>
/// <param name="invoker">Creates the invoker that calls the service in process.</param>
public sealed class InProcessDataPlane(Func<string> url, Func<CallInvoker> invoker)
{
    private readonly Lazy<string> address = new(url);
    private readonly Lazy<CallInvoker> calls = new(invoker);

    /// <summary>Whether <paramref name="dataPlaneUrl"/> is this process's own data plane.</summary>
    public bool Serves(string dataPlaneUrl) => string.Equals(address.Value, dataPlaneUrl, StringComparison.Ordinal);

    /// <summary>Calls the data plane in process.</summary>
    public CallInvoker Invoker => calls.Value;
}
