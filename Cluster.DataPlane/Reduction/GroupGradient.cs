using System.Numerics.Tensors;

namespace MetaCluster.DataPlane.Reduction;

/// <summary>
/// A pre-reduction group's gradient: its members' gradients summed in float32 in shard order
/// (the first copied, each next one added), the same additions the coordinator makes when it
/// folds shards in order, so where a group is summed does not change a bit of it.
/// </summary>
public static class GroupGradient
{
    /// <summary>The sum of <paramref name="gradients"/>, in their order.</summary>
    public static float[] Sum(IReadOnlyList<float[]> gradients)
    {
        if (gradients.Count == 0) throw new ArgumentException("a group needs at least one gradient", nameof(gradients));
        var sum = gradients[0].ToArray();
        for (int i = 1; i < gradients.Count; i++)
        {
            if (gradients[i].Length != sum.Length) throw new ArgumentException($"gradient {i} has {gradients[i].Length} elements, the first {sum.Length}", nameof(gradients));
            TensorPrimitives.Add(sum, gradients[i], sum);
        }
        return sum;
    }
}
