using MetaCluster.Learning.Models;
using MetaCluster.Learning.Images;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Images;

/// <summary>
/// The CNN-4's fast path (a convolution per task, libtorch's fused batch norm, pooling before the
/// ReLU) against the network written out the textbook way: all tasks in one grouped convolution,
/// batch norm as mean/variance tensor operations, ReLU then pooling. Values, first-order and
/// second-order gradients (what MAML differentiates) must agree. The fast path keeps activations
/// channels-last; the textbook network is plain NCHW.
/// </summary>
public sealed class Cnn4ReferenceTests
{
    private const int Filters = 3;

    [Theory]
    [InlineData(3, 5, 28, 1, false)]   // several tasks, Omniglot size
    [InlineData(2, 1, 16, 1, false)]   // one image per task: the last block has a single value per channel
    [InlineData(2, 3, 40, 3, false)]   // colour images (a real channels-last copy, not a view) and 2×2 final maps (feature order)
    [InlineData(3, 5, 28, 1, true)]    // the same inside SecondOrderPasses (NCHW, as for second-order MAML's support passes)
    [InlineData(2, 3, 40, 3, true)]
    public void FastForwardAndItsGradientsToSecondOrderEqualTheTextbookNetwork(int tasks, int images, int size, int channels, bool secondOrderPass)
    {
        var model = new Cnn4(ways: 4, inputChannels: channels, hiddenChannels: Filters, height: size, width: size);
        var theta = model.Initialize(11, ScalarType.Float64);
        var perTask = Enumerable.Range(0, tasks).Select(_ => theta + 0.1 * randn_like(theta)).ToArray();
        Tensor[] Weights() => Enumerable.Range(0, model.Layout.Entries.Count)
            .Select(e => stack(perTask.Select(p => model.Layout.Views(p)[e]).ToArray()).detach().requires_grad_(true)).ToArray();
        var x = rand([tasks, images, channels, size, size], dtype: ScalarType.Float64);

        var fast = Weights();
        var reference = Weights();
        Tensor fastOut;
        using (SecondOrderPasses.Enter(secondOrderPass))
            fastOut = model.Features(fast, x);
        var referenceOut = TextbookFeatures(reference, x, model.FeatureSize);
        Assert.True(allclose(fastOut, referenceOut, rtol: 1e-9, atol: 1e-10), "features differ");

        // ∇ of a gradient's projection: the Hessian-vector products of second-order MAML.
        var direction = randn_like(fastOut);
        var fastSecond = SecondOrder(fast, fastOut, direction);
        var referenceSecond = SecondOrder(reference, referenceOut, direction);
        foreach (var (a, b) in fastSecond.Zip(referenceSecond))
            Assert.True(allclose(a, b, rtol: 1e-7, atol: 1e-9), $"second-order gradients differ by {(a - b).abs().max().item<double>():E2}");
    }

    private static Tensor[] SecondOrder(Tensor[] allWeights, Tensor output, Tensor direction)
    {
        var weights = allWeights.Take(3 * Cnn4.Blocks).ToArray();   // the head is not part of the features
        var loss = (output * direction).sum() + output.square().sum();
        var first = autograd.grad([loss], weights, retain_graph: true, create_graph: true);
        var projected = first.Select(g => g.square().sum()).Aggregate((a, b) => a + b);
        return autograd.grad([projected], weights).ToArray();
    }

    private static Tensor TextbookFeatures(Tensor[] weights, Tensor x, int featureSize)
    {
        long tasks = x.shape[0], images = x.shape[1];
        var h = x.transpose(0, 1).reshape(images, tasks * x.shape[2], x.shape[3], x.shape[4]);
        for (int b = 0; b < Cnn4.Blocks; b++)
        {
            var kernel = weights[3 * b];
            h = nn.functional.conv2d(h, kernel.reshape(tasks * kernel.shape[1], kernel.shape[2], 3, 3), padding: [1, 1], groups: tasks);
            var grouped = h.view(images, tasks, Filters, h.shape[2], h.shape[3]);
            long[] over = [0, 3, 4];
            var centred = grouped - grouped.mean(over, keepdim: true);
            var normalised = centred * (centred.square().mean(over, keepdim: true) + 1e-5).rsqrt();
            var scaled = normalised * weights[3 * b + 1].view(1, tasks, Filters, 1, 1) + weights[3 * b + 2].view(1, tasks, Filters, 1, 1);
            h = nn.functional.max_pool2d(nn.functional.relu(scaled.view(images, tasks * Filters, h.shape[2], h.shape[3])), kernel_size: 2, stride: 2);
        }
        return h.reshape(images, tasks, featureSize).transpose(0, 1);
    }
}
