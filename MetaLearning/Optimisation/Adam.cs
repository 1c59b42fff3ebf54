using static TorchSharp.torch;

namespace MetaCluster.Learning.Optimisation;

/// <summary>
/// Adam (Kingma &amp; Ba) on a flat parameter vector, with the same update as torch.optim.Adam.
/// Its state (step, first and second moments) is plain data so checkpoints hold it exactly.
/// </summary>
public sealed class Adam(double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8) : IDisposable
{
    /// <summary>Updates applied so far.</summary>
    public long Step { get; private set; }

    /// <summary>First moment, or null before the first step.</summary>
    public Tensor? FirstMoment { get; private set; }

    /// <summary>Second moment, or null before the first step.</summary>
    public Tensor? SecondMoment { get; private set; }

    /// <summary>The learning rate.</summary>
    public double LearningRate => learningRate;

    /// <summary>Applies one update to <paramref name="parameters"/> in place.</summary>
    public void Apply(Tensor parameters, Tensor gradient)
    {
        using var noGrad = no_grad();
        FirstMoment ??= zeros_like(parameters);
        SecondMoment ??= zeros_like(parameters);
        Step++;
        FirstMoment.mul_(beta1).add_(gradient, alpha: 1 - beta1);
        SecondMoment.mul_(beta2).addcmul_(gradient, gradient, value: 1 - beta2);
        double correction1 = 1 - Math.Pow(beta1, Step);
        double correction2 = 1 - Math.Pow(beta2, Step);
        // In place on one temporary: √v / √(1 − β₂ᵗ) + ε, the same operations as torch.optim.Adam.
        using var denominator = SecondMoment.sqrt().div_(Math.Sqrt(correction2)).add_(epsilon);
        parameters.addcdiv_(FirstMoment, denominator, value: -learningRate / correction1);
    }

    /// <summary>Restores a saved state.</summary>
    public void Restore(long step, Tensor firstMoment, Tensor secondMoment)
    {
        FirstMoment?.Dispose(); SecondMoment?.Dispose();
        Step = step; FirstMoment = firstMoment; SecondMoment = secondMoment;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        FirstMoment?.Dispose(); SecondMoment?.Dispose();
    }
}
