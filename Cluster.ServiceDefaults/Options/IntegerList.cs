namespace MetaCluster.ServiceDefaults.Options;

/// <summary>
/// A comma-separated list of integers given as one option value (<c>--eval-inner-steps 1,10</c>).
/// Written back the way it is typed, which is how help shows its default.
/// </summary>
public sealed record IntegerList(IReadOnlyList<int> Values)
{
    /// <summary>The values as an array.</summary>
    public int[] ToArray() => [.. Values];

    /// <inheritdoc />
    public override string ToString() => string.Join(',', Values);
}
