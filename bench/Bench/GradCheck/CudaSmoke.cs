using TorchSharp;
using static TorchSharp.torch;

namespace MetaCluster.Bench.GradCheck;

/// <summary>What the smoke test saw: the largest relative errors of each check, and where the results lived.</summary>
/// <param name="FirstOrder">max |∂y/∂x − 3x²| / max |3x²| for y = Σ x³.</param>
/// <param name="SecondOrder">max |∂(Σ ∂y/∂x)/∂x − 6x| / max |6x|, through a graph made with create_graph.</param>
/// <param name="MatMul">A 256×256 product on the device against the same product on the CPU.</param>
/// <param name="ResultDevice">The device the second-order gradient was on.</param>
public sealed record SmokeResult(double FirstOrder, double SecondOrder, double MatMul, string ResultDevice);

/// <summary>
/// The first thing to try on a new device: tensors made there, a product, and a second-order
/// gradient (what MAML's outer step needs), each against its closed form or the CPU.
/// </summary>
public static class CudaSmoke
{
    /// <summary>Runs the checks on <paramref name="device"/> in float32.</summary>
    public static SmokeResult Run(string device)
    {
        using var scope = NewDisposeScope();
        var d = torch.device(device);
        var x = linspace(-2, 2, 101, dtype: ScalarType.Float32).to(d).requires_grad_(true);
        var y = x.pow(3).sum();
        var g = autograd.grad([y], [x], create_graph: true)[0];
        var h = autograd.grad([g.sum()], [x])[0];
        using var exact1 = x.detach().pow(2).mul(3);
        using var exact2 = x.detach().mul(6);
        double first = Relative(g.detach(), exact1);
        double second = Relative(h, exact2);

        using var generator = new Generator(7);
        var a = randn([256, 256], generator: generator);
        var b = randn([256, 256], generator: generator);
        var onCpu = a.matmul(b);
        var there = a.to(d).matmul(b.to(d)).cpu();
        return new SmokeResult(first, second, Relative(there, onCpu), h.device.ToString());
    }

    private static double Relative(Tensor value, Tensor exact) =>
        value.cpu().sub(exact.cpu()).abs().max().item<float>() / Math.Max(exact.abs().max().item<float>(), float.Epsilon);
}
