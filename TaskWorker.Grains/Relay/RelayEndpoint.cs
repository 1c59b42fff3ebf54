namespace MetaCluster.TaskWorker.Relay;

/// <summary>Where this process's reduction relay listens, once it does; null when it runs none.</summary>
public sealed class RelayEndpoint
{
    /// <summary>The relay's URL as other worker processes reach it.</summary>
    public string? Url { get; set; }
}
