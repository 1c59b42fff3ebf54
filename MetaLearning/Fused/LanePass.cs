using System.Numerics;

namespace MetaCluster.Learning.Fused;

/// <summary>
/// The values of one forward and backward pass of an MLP over N examples, for a group of tasks
/// held in the lanes of <see cref="Vector{T}"/> (lane j is task j of the group). Element [n, i] of
/// a layer of width w is at n·w + i.
/// </summary>
internal sealed class LanePass<T> where T : unmanaged, INumber<T>
{
    public LanePass(MlpShape shape, int examples)
    {
        Examples = examples;
        Activations = new Vector<T>[shape.Layers][];
        for (int l = 0; l < shape.Layers; l++) Activations[l] = new Vector<T>[examples * shape.Widths[l]];
        Output = new Vector<T>[examples * shape.Outputs];
        Deltas = new Vector<T>[shape.Layers + 1][];
        for (int l = 1; l <= shape.Layers; l++) Deltas[l] = new Vector<T>[examples * shape.Widths[l]];
        Deltas[0] = [];
    }

    /// <summary>Number of examples N.</summary>
    public int Examples { get; }

    /// <summary>
    /// a_l for l = 0 … L−1: the input (l = 0) and each hidden layer after its ReLU. Several passes
    /// may share one input array.
    /// </summary>
    public Vector<T>[][] Activations { get; }

    /// <summary>z_L: the linear outputs.</summary>
    public Vector<T>[] Output { get; }

    /// <summary>δ_l = ∂ℓ/∂z_l for l = 1 … L (index 0 unused).</summary>
    public Vector<T>[][] Deltas { get; }
}
