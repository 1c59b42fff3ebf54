namespace MetaCluster.Learning.Algorithms;

/// <summary>Creates algorithms by their command-line names.</summary>
public static class AlgorithmCatalog
{
    /// <summary>The names accepted by <c>--algorithm</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["maml", "fomaml", "anil", "foanil", "metasgd", "protonet", "matchingnet", "mtl", "reptile"];

    /// <summary>The values of <c>--kernels</c>: hand-written fused kernels where an algorithm has them, or autograd everywhere.</summary>
    public static IReadOnlyList<string> KernelChoices { get; } = ["fused", "autograd"];

    /// <summary>
    /// Whether the algorithm can only learn classification tasks (its predictions are distances to
    /// class prototypes or attention over labelled examples, not values), so regression families cannot use it.
    /// </summary>
    public static bool NeedsClassification(string name) => name is "protonet" or "matchingnet";

    /// <summary>The algorithm called <paramref name="name"/>; <paramref name="fusedKernels"/> lets it use fused kernels where it has them.</summary>
    public static IMetaAlgorithm Create(string name, InnerLoopSettings inner, bool fusedKernels = true) => name switch
    {
        "maml" => new Maml(inner, firstOrder: false, fusedKernels),
        "fomaml" => new Maml(inner, firstOrder: true, fusedKernels),
        "anil" => new Anil(inner, firstOrder: false),
        "foanil" => new Anil(inner, firstOrder: true),
        "metasgd" => new MetaSgd(inner),
        "protonet" => new ProtoNet(),
        "matchingnet" => new MatchingNetworks(),
        "mtl" => new MultiTaskLearning(inner),
        "reptile" => new Reptile(inner),
        _ => throw new ArgumentException($"unknown algorithm '{name}' (expected one of: {string.Join(", ", Names)})"),
    };
}
