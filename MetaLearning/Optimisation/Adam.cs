using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Optimisation;

/// <summary>
/// Adam (Kingma &amp; Ba) on a flat parameter vector, with the update of torch.optim.Adam:
/// m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², θ ← θ − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
/// Its state (step, first and second moments) is plain data so checkpoints hold it exactly.
/// On contiguous float32 CPU tensors (the coordinator's case) the update is one managed, vectorised
/// pass over θ, m and v in float32, each operation rounded as written above: no libtorch kernel, no
/// temporary, and no implicit <see cref="Scalar"/> (TorchSharp's implicit scalars can be finalised
/// while the native call that received them still runs). Elsewhere libtorch applies the same
/// operations with scalars it keeps alive.
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

    /// <summary>The hyper-parameters, as a replica of this optimiser needs them.</summary>
    public AdamSettings Settings => new(learningRate, beta1, beta2, epsilon);

    /// <summary>Applies one update to <paramref name="parameters"/> in place.</summary>
    public void Apply(Tensor parameters, Tensor gradient)
    {
        using var noGrad = no_grad();
        BeginUpdate(parameters);
        if (IsManaged(parameters) && IsManaged(gradient) && IsManaged(FirstMoment) && IsManaged(SecondMoment) && gradient.numel() == parameters.numel())
            Update(Floats(parameters), Floats(gradient), 1f, Floats(FirstMoment), Floats(SecondMoment), Settings, Step);
        else
            ApplyWithLibTorch(parameters, gradient, Math.Sqrt(1 - Math.Pow(beta2, Step)), -learningRate / (1 - Math.Pow(beta1, Step)));
    }

    /// <summary>
    /// Applies one update with the mean gradient <paramref name="gradientSum"/> / <paramref name="divisor"/>
    /// (each element divided in float32 inside the pass, so no mean gradient is materialised), to
    /// contiguous float32 CPU <paramref name="parameters"/> of the same length. When
    /// <paramref name="updated"/> is given, it sees each block of new values right after the pass
    /// wrote it (see <see cref="UpdateInBlocks"/>).
    /// </summary>
    public void ApplySum(Tensor parameters, ReadOnlySpan<float> gradientSum, int divisor, UpdatedBlock? updated = null)
    {
        if (!IsManaged(parameters) || parameters.numel() != gradientSum.Length || divisor < 1)
            throw new ArgumentException("ApplySum needs contiguous float32 CPU parameters as long as the gradient sum, and a positive divisor");
        using var noGrad = no_grad();
        BeginUpdate(parameters);
        if (updated is null) Update(Floats(parameters), gradientSum, divisor, Floats(FirstMoment), Floats(SecondMoment), Settings, Step);
        else UpdateInBlocks(Floats(parameters), gradientSum, divisor, Floats(FirstMoment), Floats(SecondMoment), Settings, Step, updated);
    }

    /// <summary>
    /// Update number <paramref name="step"/> (1-based) of Adam in float32 on flat spans, with the
    /// gradient <paramref name="gradientSum"/>[i] / <paramref name="divisor"/>: one vectorised pass
    /// over θ, m and v, no allocation and no libtorch. Every operation is an IEEE float32 operation
    /// in a fixed order, element by element (the JIT does not contract them into fused
    /// multiply-adds, and the vector and scalar paths round alike), so any process that applies it
    /// to the same bits gets the same bits, and applying it to slices gives the bits of the whole.
    /// (<see cref="OuterUpdate"/> adds clipping and weight decay to the same pass.)
    /// </summary>
    public static void Update(Span<float> theta, ReadOnlySpan<float> gradientSum, float divisor, Span<float> m, Span<float> v, AdamSettings settings, long step) =>
        OuterUpdate.ForAdam(settings).Apply(theta, gradientSum, divisor, m, v, step);

    /// <summary>
    /// <see cref="Update"/> in blocks of <see cref="BlockElements"/>, handing each block of new θ to
    /// <paramref name="updated"/> right after it is written: whoever copies or hashes the new values
    /// reads them while they are still in the cache, instead of making a second pass over memory.
    /// </summary>
    public static void UpdateInBlocks(Span<float> theta, ReadOnlySpan<float> gradientSum, float divisor, Span<float> m, Span<float> v, AdamSettings settings, long step,
        UpdatedBlock updated) =>
        OuterUpdate.ForAdam(settings).ApplyInBlocks(theta, gradientSum, divisor, m, v, step, updated);

    /// <summary>Elements per block of <see cref="UpdateInBlocks"/>: 64 KiB of θ, a multiple of every vector width.</summary>
    public const int BlockElements = OuterUpdate.BlockElements;

    /// <summary>
    /// The pass itself, for <see cref="OuterUpdate"/>: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²,
    /// θ ← θ·d + s·m / (√v / c₂ + ε) with g = (sum / divisor)·(clip factor), d = 1 − η_t·λ (AdamW's
    /// decoupled decay, exactly 1 without it), s = −η_t / (1 − β₁ᵗ), c₂ = √(1 − β₂ᵗ). Without clipping
    /// and decay both factors are 1, and multiplying by 1 is exact: the bits of plain Adam.
    /// </summary>
    internal static void UpdateRange(Span<float> theta, ReadOnlySpan<float> gradientSum, float divisor, Span<float> m, Span<float> v, in OuterUpdate update, long step)
    {
        float b1 = (float)update.Beta1, a1 = (float)(1 - update.Beta1), b2 = (float)update.Beta2, a2 = (float)(1 - update.Beta2);
        float c2 = (float)Math.Sqrt(1 - Math.Pow(update.Beta2, step)), eps = (float)update.Epsilon;
        float stepSize = (float)(-update.LearningRate / (1 - Math.Pow(update.Beta1, step)));
        float scale = update.GradientScale, decay = (float)(1 - update.LearningRate * update.WeightDecay);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vb1 = new Vector<float>(b1); var va1 = new Vector<float>(a1);
            var vb2 = new Vector<float>(b2); var va2 = new Vector<float>(a2);
            var vc2 = new Vector<float>(c2); var veps = new Vector<float>(eps); var vstep = new Vector<float>(stepSize);
            var vdiv = new Vector<float>(divisor); var vscale = new Vector<float>(scale); var vdecay = new Vector<float>(decay);
            var mv = MemoryMarshal.Cast<float, Vector<float>>(m);
            var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
            var tv = MemoryMarshal.Cast<float, Vector<float>>(theta);
            var gv = MemoryMarshal.Cast<float, Vector<float>>(gradientSum);
            for (int j = 0; j < gv.Length; j++)
            {
                var gj = gv[j] / vdiv * vscale;
                var mj = mv[j] * vb1 + gj * va1;
                var vj = vv[j] * vb2 + gj * gj * va2;
                mv[j] = mj;
                vv[j] = vj;
                tv[j] = tv[j] * vdecay + vstep * (mj / (Vector.SquareRoot(vj) / vc2 + veps));
            }
            i = gv.Length * Vector<float>.Count;
        }
        for (; i < theta.Length; i++)
        {
            float gi = gradientSum[i] / divisor * scale;
            float mi = m[i] * b1 + gi * a1;
            float vi = v[i] * b2 + gi * gi * a2;
            m[i] = mi;
            v[i] = vi;
            theta[i] = theta[i] * decay + stepSize * (mi / (MathF.Sqrt(vi) / c2 + eps));
        }
    }

    // Zero moments before the first update, then count this one.
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(FirstMoment), nameof(SecondMoment))]
    private void BeginUpdate(Tensor parameters)
    {
        FirstMoment ??= zeros_like(parameters);
        SecondMoment ??= zeros_like(parameters);
        Step++;
    }

    private void ApplyWithLibTorch(Tensor parameters, Tensor gradient, double sqrtCorrection2, double stepSize)
    {
        using Scalar b1 = beta1, a1 = 1 - beta1, b2 = beta2, a2 = 1 - beta2, c2 = sqrtCorrection2, eps = epsilon, step = stepSize;
        FirstMoment!.mul_(b1).add_(gradient, alpha: a1);
        SecondMoment!.mul_(b2).addcmul_(gradient, gradient, value: a2);
        using var denominator = SecondMoment.sqrt().div_(c2).add_(eps);
        parameters.addcdiv_(FirstMoment, denominator, value: step);
    }

    private static bool IsManaged(Tensor t) => t.device_type == DeviceType.CPU && t.dtype == ScalarType.Float32 && t.is_contiguous();

    private static Span<float> Floats(Tensor t) => MemoryMarshal.Cast<byte, float>(t.bytes);

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

/// <summary>Sees one block of freshly updated parameters, starting at element <paramref name="offset"/>.</summary>
public delegate void UpdatedBlock(int offset, ReadOnlySpan<float> values);

/// <summary>Adam's hyper-parameters.</summary>
public readonly record struct AdamSettings(double LearningRate, double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8);
