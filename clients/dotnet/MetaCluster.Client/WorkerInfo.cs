namespace MetaCluster.Client;

/// <summary>A live worker of the cluster.</summary>
/// <param name="WorkerId">Its id.</param>
/// <param name="Device">Its device (<c>cpu</c>, <c>cuda:0</c>, …).</param>
/// <param name="Silo">The process (Orleans silo) hosting it.</param>
public sealed record WorkerInfo(string WorkerId, string Device, string Silo);
