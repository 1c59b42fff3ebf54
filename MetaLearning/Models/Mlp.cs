using MetaCluster.Learning.Parameters;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Models;

/// <summary>
/// A ReLU multi-layer perceptron, e.g. 1-40-40-1 for the MAML sinusoid. Layer l has weight
/// "layer{l}.weight" [out, in] and bias "layer{l}.bias" [out]; the last layer is the head.
/// </summary>
public sealed class Mlp : IFunctionalModel
{
    private readonly int[] sizes;

    /// <summary>Creates an MLP with the given layer widths, input first, output last.</summary>
    public Mlp(params int[] sizes)
    {
        if (sizes.Length < 3) throw new ArgumentException("an MLP needs an input, at least one hidden layer and an output");
        this.sizes = sizes;
        Layout = new ParameterLayout();
        for (int l = 0; l + 1 < sizes.Length; l++)
            Layout.Add($"layer{l}.weight", sizes[l + 1], sizes[l]).Add($"layer{l}.bias", sizes[l + 1]);
    }

    /// <inheritdoc/>
    public ParameterLayout Layout { get; }

    /// <inheritdoc/>
    public IReadOnlyList<long> InputShape => [sizes[0]];

    /// <inheritdoc/>
    public int OutputCount => sizes[^1];

    /// <inheritdoc/>
    public int FeatureSize => sizes[^2];

    /// <inheritdoc/>
    public int HeadEntryCount => 2;

    /// <summary>Layer widths, input first.</summary>
    public IReadOnlyList<int> Sizes => sizes;

    /// <inheritdoc/>
    public Tensor Features(IReadOnlyList<Tensor> weights, Tensor x)
    {
        var h = x;
        for (int l = 0; l + 2 < sizes.Length; l++)
            h = nn.functional.relu(Linear(weights[2 * l], weights[2 * l + 1], h));
        return h;
    }

    /// <inheritdoc/>
    public Tensor Head(IReadOnlyList<Tensor> weights, Tensor features)
    {
        int last = sizes.Length - 2;
        return Linear(weights[2 * last], weights[2 * last + 1], features);
    }

    /// <summary>PyTorch's nn.Linear default: U(−1/√fan_in, 1/√fan_in) for weights and biases.</summary>
    public Tensor Initialize(ulong seed, ScalarType dtype = ScalarType.Float32)
    {
        var values = new double[Layout.Count];
        var random = new TaskRandom(seed, stream: ulong.MaxValue, step: 0, index: 0);
        foreach (var entry in Layout.Entries)
        {
            int layer = int.Parse(entry.Name.AsSpan(5, entry.Name.IndexOf('.') - 5));
            double bound = 1.0 / Math.Sqrt(sizes[layer]);
            for (long i = 0; i < entry.Count; i++)
                values[entry.Offset + i] = random.Uniform(-bound, bound);
        }
        return tensor(values, dtype: ScalarType.Float64).to(dtype);
    }

    // Batched over tasks: weight [T, out, in], bias [T, out], h [T, N, in] -> [T, N, out].
    private static Tensor Linear(Tensor weight, Tensor bias, Tensor h) =>
        matmul(h, weight.transpose(1, 2)) + bias.unsqueeze(1);
}
