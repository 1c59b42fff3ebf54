namespace MetaCluster.Learning.Algorithms;

/// <summary>Creates algorithms by their command-line names.</summary>
public static class AlgorithmCatalog
{
    /// <summary>The names accepted by <c>--algorithm</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["maml", "fomaml"];

    /// <summary>The algorithm called <paramref name="name"/>.</summary>
    public static IMetaAlgorithm Create(string name, InnerLoopSettings inner) => name switch
    {
        "maml" => new Maml(inner, firstOrder: false),
        "fomaml" => new Maml(inner, firstOrder: true),
        _ => throw new ArgumentException($"unknown algorithm '{name}' (expected one of: {string.Join(", ", Names)})"),
    };
}
