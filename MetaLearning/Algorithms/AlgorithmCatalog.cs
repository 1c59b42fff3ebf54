namespace MetaCluster.Learning.Algorithms;

/// <summary>Creates algorithms by their command-line names.</summary>
public static class AlgorithmCatalog
{
    /// <summary>The names accepted by <c>--algorithm</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["maml", "fomaml", "anil", "foanil", "metasgd", "protonet", "mtl"];

    /// <summary>The algorithm called <paramref name="name"/>.</summary>
    public static IMetaAlgorithm Create(string name, InnerLoopSettings inner) => name switch
    {
        "maml" => new Maml(inner, firstOrder: false),
        "fomaml" => new Maml(inner, firstOrder: true),
        "anil" => new Anil(inner, firstOrder: false),
        "foanil" => new Anil(inner, firstOrder: true),
        "metasgd" => new MetaSgd(inner),
        "protonet" => new ProtoNet(),
        "mtl" => new MultiTaskLearning(inner),
        _ => throw new ArgumentException($"unknown algorithm '{name}' (expected one of: {string.Join(", ", Names)})"),
    };
}
