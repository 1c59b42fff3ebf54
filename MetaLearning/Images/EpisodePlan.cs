namespace MetaCluster.Learning.Images;

/// <summary>
/// Which images make up one N-way K-shot Q-query episode: for each label 0..N-1, the class
/// (an index into the stream's class pool, rotations included) and the indices of its support
/// and query images, which are disjoint.
/// </summary>
/// <param name="Classes">The pool index of the class that gets label w, at position w.</param>
/// <param name="Support">For each label, its K support image indices within the class.</param>
/// <param name="Query">For each label, its Q query image indices within the class.</param>
public sealed record EpisodePlan(int[] Classes, int[][] Support, int[][] Query);
