namespace MetaCluster.Learning.Tasks;

/// <summary>The size of a task: ways (classification), shots per class or support points, query points.</summary>
public sealed record EpisodeShape(int Ways, int Shots, int Query);
