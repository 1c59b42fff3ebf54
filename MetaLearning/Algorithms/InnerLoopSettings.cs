namespace MetaCluster.Learning.Algorithms;

/// <summary>The inner loop: k steps of gradient descent with learning rate α on the support set.</summary>
/// <param name="Steps">k, the inner steps of meta-training.</param>
/// <param name="LearningRate">α (with <paramref name="LearnedRates"/>: the learned rates' initial value).</param>
/// <param name="MultiStepLoss">MAML++ (Antoniou et al., 2019): MAML's outer loss is the mean of the query
/// losses after every inner step 1..k, not the loss after step k alone.</param>
/// <param name="LearnedRates">MAML++'s LSLR: MAML learns one inner rate per layer entry (weight, bias)
/// per inner step in the outer loop, instead of one fixed α.</param>
public sealed record InnerLoopSettings(int Steps, double LearningRate, bool MultiStepLoss = false, bool LearnedRates = false);
