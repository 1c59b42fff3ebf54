using MetaCluster.Learning.Models;

namespace MetaCluster.Learning.Fused;

/// <summary>
/// Where each layer of a ReLU MLP lives in the flat parameter vector: layer l (1-based) maps
/// <c>Widths[l-1]</c> inputs to <c>Widths[l]</c> outputs with weight [out, in] (row-major) at
/// <c>WeightOffset[l-1]</c> and bias at <c>BiasOffset[l-1]</c>, the layout <see cref="Mlp"/> uses.
/// </summary>
public sealed class MlpShape
{
    /// <summary>Reads the shape of <paramref name="mlp"/> from its parameter layout.</summary>
    public MlpShape(Mlp mlp)
    {
        Widths = [.. mlp.Sizes];
        int layers = Widths.Length - 1;
        WeightOffset = new int[layers];
        BiasOffset = new int[layers];
        var entries = mlp.Layout.Entries;
        for (int l = 0; l < layers; l++)
        {
            WeightOffset[l] = checked((int)entries[2 * l].Offset);
            BiasOffset[l] = checked((int)entries[2 * l + 1].Offset);
        }
        ParameterCount = checked((int)mlp.Layout.Count);
    }

    /// <summary>Layer widths, input first.</summary>
    public int[] Widths { get; }

    /// <summary>Offset of each layer's weight matrix.</summary>
    public int[] WeightOffset { get; }

    /// <summary>Offset of each layer's bias.</summary>
    public int[] BiasOffset { get; }

    /// <summary>Number of parameters.</summary>
    public int ParameterCount { get; }

    /// <summary>Number of linear layers.</summary>
    public int Layers => Widths.Length - 1;

    /// <summary>Inputs per example.</summary>
    public int Inputs => Widths[0];

    /// <summary>Outputs per example.</summary>
    public int Outputs => Widths[^1];

    /// <summary>Width of the penultimate layer (the task embedding).</summary>
    public int Features => Widths[^2];

    /// <summary>Layer <paramref name="layer"/>'s (1-based) weight matrix [out, in], row-major, within the flat vector.</summary>
    public Span<T> Weight<T>(Span<T> flat, int layer) => flat.Slice(WeightOffset[layer - 1], Widths[layer] * Widths[layer - 1]);

    /// <inheritdoc cref="Weight{T}(Span{T}, int)"/>
    public ReadOnlySpan<T> Weight<T>(ReadOnlySpan<T> flat, int layer) => flat.Slice(WeightOffset[layer - 1], Widths[layer] * Widths[layer - 1]);

    /// <summary>Layer <paramref name="layer"/>'s (1-based) bias within the flat vector.</summary>
    public Span<T> Bias<T>(Span<T> flat, int layer) => flat.Slice(BiasOffset[layer - 1], Widths[layer]);

    /// <inheritdoc cref="Bias{T}(Span{T}, int)"/>
    public ReadOnlySpan<T> Bias<T>(ReadOnlySpan<T> flat, int layer) => flat.Slice(BiasOffset[layer - 1], Widths[layer]);
}
