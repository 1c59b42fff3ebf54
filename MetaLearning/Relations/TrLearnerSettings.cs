namespace MetaCluster.Learning.Relations;

/// <summary>
/// TRLearner's settings. The defaults are this project's choices for small tasks, not values
/// from the paper.
/// </summary>
/// <param name="Lambda">λ, the weight of L_TR in the outer objective; 0 switches TRLearner off.</param>
/// <param name="MetaDataPerTask">m, meta-data samples per task (at most the query size).</param>
/// <param name="Strategy">How the meta-data are chosen.</param>
/// <param name="Heads">H, the number of projections of the similarity layer.</param>
/// <param name="ProjectionSize">D_proj, each projection's output width.</param>
/// <param name="Temperature">τ of the relation softmax; cosine similarities lie in [−1, 1].</param>
public sealed record TrLearnerSettings(
    double Lambda,
    int MetaDataPerTask = 5,
    MetaDataStrategy Strategy = MetaDataStrategy.Hardest,
    int Heads = 4,
    int ProjectionSize = 32,
    double Temperature = 0.5)
{
    /// <summary>Whether TRLearner is on.</summary>
    public bool Enabled => Lambda != 0;
}
