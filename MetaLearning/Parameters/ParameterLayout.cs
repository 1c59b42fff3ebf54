using static TorchSharp.torch;

namespace MetaCluster.Learning.Parameters;

/// <summary>One named tensor inside the flat meta-parameter vector.</summary>
public sealed record ParameterEntry(string Name, long[] Shape, long Offset)
{
    /// <summary>Number of elements.</summary>
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// How named parameter tensors are laid out in one flat vector. The flat vector is what travels
/// (one tensor, chunked) and what the optimiser updates; models see views of it.
/// </summary>
public sealed class ParameterLayout
{
    private readonly List<ParameterEntry> entries = [];

    /// <summary>Entries in order.</summary>
    public IReadOnlyList<ParameterEntry> Entries => entries;

    /// <summary>Total number of scalars.</summary>
    public long Count { get; private set; }

    /// <summary>Appends a tensor of the given shape.</summary>
    public ParameterLayout Add(string name, params long[] shape)
    {
        var entry = new ParameterEntry(name, shape, Count);
        entries.Add(entry);
        Count += entry.Count;
        return this;
    }

    /// <summary>Views of <paramref name="flat"/> ([Count]) shaped like each entry; gradients flow back to it.</summary>
    public Tensor[] Views(Tensor flat)
    {
        if (flat.shape.Length != 1 || flat.shape[0] != Count)
            throw new ArgumentException($"flat parameters have shape [{string.Join(", ", flat.shape)}], expected [{Count}]");
        return entries.Select(e => flat.narrow(0, e.Offset, e.Count).view(e.Shape)).ToArray();
    }

    /// <summary>The entries' index range [first, end) whose names start with the prefix.</summary>
    public int[] IndicesWithPrefix(string prefix) =>
        entries.Select((e, i) => (e, i)).Where(p => p.e.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(p => p.i).ToArray();
}
