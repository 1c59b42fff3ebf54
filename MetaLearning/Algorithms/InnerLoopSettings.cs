namespace MetaCluster.Learning.Algorithms;

/// <summary>The inner loop: k steps of gradient descent with learning rate α on the support set.</summary>
public sealed record InnerLoopSettings(int Steps, double LearningRate);
