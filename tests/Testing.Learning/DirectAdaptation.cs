using MetaCluster.Learning.Models;
using static TorchSharp.torch;

namespace MetaCluster.Testing.Learning;

/// <summary>
/// Adaptation and losses written out plainly for ONE task on a flat parameter vector, with none of
/// the library's task batching: the independent side of the algorithms' gradient checks.
/// </summary>
public static class DirectAdaptation
{
    /// <summary>
    /// k steps of w ← w − rates ⊙ ∇ℓ(x, y; w) on flat parameters; rates is a flat vector (zero
    /// where a parameter is frozen). Returns the adapted flat vector (values only, no graph).
    /// </summary>
    public static Tensor Adapt(IFunctionalModel model, Tensor theta, Tensor x, Tensor y, int steps, Tensor rates, bool classification = false)
    {
        var w = theta.detach().clone();
        for (int k = 0; k < steps; k++)
        {
            var leaf = w.requires_grad_(true);
            var loss = Loss(model, leaf, x, y, classification);
            var g = autograd.grad([loss], [leaf])[0];
            w = (leaf - rates * g).detach();
        }
        return w;
    }

    /// <summary>ℓ(x, y; w) for one task: MSE, or mean cross-entropy with integer labels.</summary>
    public static Tensor Loss(IFunctionalModel model, Tensor flat, Tensor x, Tensor y, bool classification = false)
    {
        var output = Forward(model, flat, x);
        return classification
            ? nn.functional.cross_entropy(output, y)
            : (output - y).square().mean();
    }

    /// <summary>One task's model output on x [N, …] under flat weights: [N, outputs].</summary>
    public static Tensor Forward(IFunctionalModel model, Tensor flat, Tensor x) =>
        model.Forward(model.Layout.Views(flat).Select(v => v.unsqueeze(0)).ToArray(), x.unsqueeze(0))[0];

    /// <summary>One task's penultimate features on x [N, …] under flat weights: [N, D].</summary>
    public static Tensor Features(IFunctionalModel model, Tensor flat, Tensor x) =>
        model.Features(model.Layout.Views(flat).Select(v => v.unsqueeze(0)).ToArray(), x.unsqueeze(0))[0];

    /// <summary>
    /// Like <see cref="Adapt"/>, but differentiable: k steps of w ← w − rates ⊙ ∇ℓ with the
    /// gradient kept in the graph (second order), from a θ that may itself carry a graph.
    /// </summary>
    public static Tensor AdaptWithGraph(IFunctionalModel model, Tensor theta, Tensor x, Tensor y, int steps, Tensor rates, bool classification = false)
    {
        var w = theta;
        for (int k = 0; k < steps; k++)
        {
            var loss = Loss(model, w, x, y, classification);
            var g = autograd.grad([loss], [w], retain_graph: true, create_graph: true)[0];
            w = w - rates * g;
        }
        return w;
    }

    /// <summary>A flat vector that is <paramref name="value"/> on the model's head entries and zero on the body.</summary>
    public static Tensor HeadRates(IFunctionalModel model, double value, ScalarType dtype = ScalarType.Float64)
    {
        var rates = zeros(model.Layout.Count, dtype: dtype);
        var entries = model.Layout.Entries;
        for (int e = entries.Count - model.HeadEntryCount; e < entries.Count; e++)
            rates.narrow(0, entries[e].Offset, entries[e].Count).fill_(value);
        return rates;
    }

    /// <summary>Central finite differences of <paramref name="f"/> at <paramref name="point"/> (flat float64) in every coordinate.</summary>
    public static double[] FiniteDifferenceGradient(Tensor point, Func<Tensor, double> f, double h = 1e-6)
    {
        var values = point.data<double>().ToArray();
        var gradient = new double[values.Length];
        for (int p = 0; p < values.Length; p++)
        {
            var plus = (double[])values.Clone(); plus[p] += h;
            var minus = (double[])values.Clone(); minus[p] -= h;
            gradient[p] = (f(tensor(plus)) - f(tensor(minus))) / (2 * h);
        }
        return gradient;
    }
}
