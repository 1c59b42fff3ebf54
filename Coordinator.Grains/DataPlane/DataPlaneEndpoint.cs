namespace MetaCluster.Coordinator.DataPlane;

/// <summary>The address at which workers reach this coordinator's data plane; known once the server listens.</summary>
public sealed class DataPlaneEndpoint
{
    private string? url;

    /// <summary>The URL, e.g. http://127.0.0.1:41234.</summary>
    public string Url
    {
        get => url ?? throw new InvalidOperationException("the data plane is not listening yet");
        set => url = value;
    }
}
