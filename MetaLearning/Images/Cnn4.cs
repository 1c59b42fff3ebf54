using MetaCluster.Learning.Models;
using MetaCluster.Learning.Parameters;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Images;

/// <summary>
/// The CNN-4 of few-shot image classification (Vinyals et al. 2016; MAML; ProtoNet), in
/// functional form: 4 × [conv 3×3 (padding 1), batch norm, ReLU, max-pool 2] and a linear head.
/// Every task has its own weights [T, …]; each task's blocks run as ordinary (ungrouped)
/// convolutions and libtorch's fused batch norm, which on CPU are several times faster than one
/// grouped convolution over all tasks with batch norm written out in tensor operations.
/// Batch norm uses each task's own batch statistics over (images, height, width) in training and
/// evaluation alike (transductive, as MAML's reference code), with per-task γ and β and no
/// running statistics, so nothing outside the weights carries state between tasks.
/// Max-pooling runs before the ReLU: both are monotone, so max(relu(·)) = relu(max(·)), and the
/// ReLU then touches a quarter of the values.
/// The convolutions have no bias: batch norm subtracts the per-channel mean right after, which
/// cancels a bias exactly (its gradient would always be zero).
/// Activations are kept channels-last (NHWC strides behind the NCHW shape): libtorch picks its
/// channels-last kernels for every layer then (oneDNN convolutions without reorders, vectorised
/// batch norm and max-pooling over contiguous channels), which on one CPU thread make a block's
/// forward and backward pass about 1.5× faster than in NCHW. Only the memory layout differs; the
/// features come out in the same logical order. Passes that will be differentiated twice
/// (<see cref="SecondOrderPasses"/>: second-order MAML's support passes) stay NCHW, whose double
/// backward is about twice as fast as channels-last's.
/// Layout: "block{b}.conv.weight" [C_out, C_in, 3, 3], "block{b}.norm.weight" (γ) and
/// "block{b}.norm.bias" (β) [C_out] for b = 0..3, then the head "head.weight" [ways, F], "head.bias" [ways].
/// </summary>
public sealed class Cnn4 : IFunctionalModel
{
    /// <summary>Conv blocks; each halves the height and width (floor), so inputs must be at least 16×16.</summary>
    public const int Blocks = 4;

    private const double NormEpsilon = 1e-5;
    private readonly int inputChannels;

    /// <inheritdoc/>
    public IReadOnlyList<long> InputShape { get; }

    /// <inheritdoc/>
    public int OutputCount => Ways;

    /// <summary>A CNN-4 for <paramref name="ways"/>-way classification of [channels, height, width] images.</summary>
    public Cnn4(int ways, int inputChannels = 1, int height = 28, int width = 28, int hiddenChannels = 64)
    {
        if (ways < 1 || inputChannels < 1 || hiddenChannels < 1)
            throw new ArgumentException($"CNN-4 needs positive ways, input channels and filters (got {ways}, {inputChannels}, {hiddenChannels})");
        int finalHeight = height >> Blocks, finalWidth = width >> Blocks;
        if (finalHeight < 1 || finalWidth < 1)
            throw new ArgumentException($"CNN-4 halves the image {Blocks} times: {width}x{height} is too small (at least 16x16)");
        Ways = ways;
        HiddenChannels = hiddenChannels;
        InputShape = [inputChannels, height, width];
        this.inputChannels = inputChannels;
        FeatureSize = hiddenChannels * finalHeight * finalWidth;

        Layout = new ParameterLayout();
        for (int b = 0; b < Blocks; b++)
            Layout.Add($"block{b}.conv.weight", hiddenChannels, b == 0 ? inputChannels : hiddenChannels, 3, 3)
                  .Add($"block{b}.norm.weight", hiddenChannels)
                  .Add($"block{b}.norm.bias", hiddenChannels);
        Layout.Add("head.weight", ways, FeatureSize).Add("head.bias", ways);
    }

    /// <summary>Outputs of the head.</summary>
    public int Ways { get; }

    /// <summary>Filters of every conv block (64 in the standard CNN-4): part of the architecture a loader rebuilds.</summary>
    public int HiddenChannels { get; }

    /// <inheritdoc/>
    public ParameterLayout Layout { get; }

    /// <summary>Flattened size of the last block's output: filters × final height × final width (64 for 28×28 inputs).</summary>
    public int FeatureSize { get; }

    /// <inheritdoc/>
    public int HeadEntryCount => 2;

    /// <inheritdoc/>
    public Tensor Features(IReadOnlyList<Tensor> weights, Tensor x)
    {
        if (x.dim() != 5 || x.shape[2] != inputChannels)
            throw new ArgumentException($"CNN-4 expects images [T, N, {inputChannels}, H, W], got [{string.Join(", ", x.shape)}]");
        long tasks = x.shape[0], images = x.shape[1];
        // unbind, not indexing: the gradient of T selected slices would be T zero-filled tensors
        // of the whole [T, …] weight (gigabytes for an evaluation shard of 100 tasks); unbind's is
        // one stack.
        var perTask = Enumerable.Range(0, 3 * Blocks).Select(e => weights[e].unbind(0)).ToArray();
        var inputs = x.unbind(0);
        var features = new Tensor[tasks];
        for (int t = 0; t < tasks; t++)
        {
            // Each task's intermediates go when its features are done: an autograd graph keeps
            // what it saved by itself, and a scope holding them all would keep every activation
            // of every task alive (gigabytes for an evaluation shard of 100 tasks).
            using var taskScope = NewDisposeScope();
            var h = SecondOrderPasses.Active ? inputs[t] : ChannelsLast(inputs[t]);
            for (int b = 0; b < Blocks; b++)
            {
                h = nn.functional.conv2d(h, perTask[3 * b][t], padding: [1, 1]);
                h = TaskBatchNorm(h, perTask[3 * b + 1][t], perTask[3 * b + 2][t]);
                h = nn.functional.relu(nn.functional.max_pool2d(h, kernel_size: 2, stride: 2));
            }
            features[t] = h.reshape(images, FeatureSize).MoveToOuterDisposeScope();
        }
        return stack(features);
    }

    /// <inheritdoc/>
    public Tensor Head(IReadOnlyList<Tensor> weights, Tensor features) =>
        matmul(features, weights[^2].transpose(1, 2)) + weights[^1].unsqueeze(1);

    /// <summary>
    /// PyTorch's defaults: conv and linear weights (and the head bias) U(−1/√fan_in, 1/√fan_in)
    /// (kaiming-uniform with a = √5), γ = 1, β = 0; drawn from <see cref="TaskRandom"/> so every
    /// process gets the same vector from the same seed.
    /// </summary>
    public Tensor Initialize(ulong seed, ScalarType dtype = ScalarType.Float32)
    {
        var values = new double[Layout.Count];
        var random = new TaskRandom(seed, stream: ulong.MaxValue, step: 0, index: 0);
        foreach (var entry in Layout.Entries)
        {
            if (entry.Name.EndsWith(".norm.weight", StringComparison.Ordinal))
            {
                Array.Fill(values, 1.0, (int)entry.Offset, (int)entry.Count);
                continue;
            }
            if (entry.Name.EndsWith(".norm.bias", StringComparison.Ordinal)) continue;
            // conv [out, in, 3, 3]: fan_in = in·9; head weight [ways, F] and bias: fan_in = F.
            double fanIn = entry.Name.StartsWith("head", StringComparison.Ordinal) ? FeatureSize : entry.Shape[1] * 9;
            double bound = 1.0 / Math.Sqrt(fanIn);
            for (long i = 0; i < entry.Count; i++)
                values[entry.Offset + i] = random.Uniform(-bound, bound);
        }
        return tensor(values, dtype: ScalarType.Float64).to(dtype);
    }

    /// <summary>
    /// The same [N, C, H, W] images with channels-last strides, which every later layer keeps. One
    /// channel (grey images) is a view, as the memory is the same; libtorch reads size-1 channels as
    /// NCHW unless the strides say otherwise, so the view sets them.
    /// </summary>
    public static Tensor ChannelsLast(Tensor images)
    {
        long n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        return c == 1
            ? images.reshape(n, h, w, 1).permute(0, 3, 1, 2)
            : images.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
    }

    // One task's per-channel batch norm over (N, H, W) with its batch statistics: libtorch's
    // fused kernel (differentiable to any order), or, with a single value per channel (1-way
    // 1-shot at 1×1, where that kernel refuses to train), the same formula in tensor operations.
    private static Tensor TaskBatchNorm(Tensor h, Tensor gamma, Tensor beta)
    {
        if (h.shape[0] * h.shape[2] * h.shape[3] > 1)
            return nn.functional.batch_norm(h, null, null, gamma, beta, training: true, eps: NormEpsilon);
        long[] over = [0, 2, 3];
        var centred = h - h.mean(over, keepdim: true);
        var variance = centred.square().mean(over, keepdim: true);
        return centred * (variance + NormEpsilon).rsqrt() * gamma.view(1, -1, 1, 1) + beta.view(1, -1, 1, 1);
    }
}
