namespace MetaCluster.Client;

/// <summary>The task families a coordinator knows, for <see cref="RunOptions.Task"/>.</summary>
public static class TaskFamilies
{
    /// <summary>Sinusoid regression (the MAML paper's).</summary>
    public const string Sinusoid = "sinusoid";

    /// <summary>Sums of two sinusoids.</summary>
    public const string Harmonic = "harmonic";

    /// <summary>Image folders or zips in the Omniglot layout: N-way K-shot classification.</summary>
    public const string Images = "images";

    /// <summary>One CSV file per task.</summary>
    public const string Tabular = "tabular";
}

/// <summary>The meta-learning algorithms a coordinator knows, for <see cref="RunOptions.Algorithm"/>.</summary>
public static class Algorithms
{
    /// <summary>MAML, second order.</summary>
    public const string Maml = "maml";

    /// <summary>First-order MAML.</summary>
    public const string FoMaml = "fomaml";

    /// <summary>ANIL: the inner loop adapts only the head.</summary>
    public const string Anil = "anil";

    /// <summary>First-order ANIL.</summary>
    public const string FoAnil = "foanil";

    /// <summary>Meta-SGD: a meta-learned inner learning rate per parameter.</summary>
    public const string MetaSgd = "metasgd";

    /// <summary>Prototypical networks (classification only).</summary>
    public const string ProtoNet = "protonet";

    /// <summary>Matching networks: cosine attention over the support set (classification only).</summary>
    public const string MatchingNet = "matchingnet";

    /// <summary>Multi-task learning, first order.</summary>
    public const string Mtl = "mtl";

    /// <summary>Reptile: the outer step moves θ towards the tasks' adapted weights (outer optimiser sgd by default).</summary>
    public const string Reptile = "reptile";
}
