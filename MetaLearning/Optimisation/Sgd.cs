using System.Numerics;
using System.Runtime.InteropServices;

namespace MetaCluster.Learning.Optimisation;

/// <summary>
/// Plain gradient descent, the outer update of Reptile's paper: g = (sum / divisor)·(clip factor),
/// plus λθ with weight decay (torch.optim.SGD's L2 term); θ ← θ − η_t·g. No momentum, so its only
/// state is the update count (for the schedule). With Reptile's direction (1/T) Σᵢ (θ − θ̃ᵢ) as g
/// this is θ ← θ + ε·(1/T) Σᵢ (θ̃ᵢ − θ).
/// <para>
/// Weight decay is L2 here and decoupled in Adam because for SGD the two are the same update
/// (θ − η(g + λθ) = θ(1 − ηλ) − ηg), while inside Adam an L2 term would be divided by √v and decay
/// weights with large gradients less (Loshchilov &amp; Hutter, AdamW).
/// </para>
/// </summary>
public static class Sgd
{
    /// <summary>
    /// One pass over θ in float32, element by element in a fixed order (vector and scalar paths
    /// round alike): any process applying it to the same bits gets the same bits.
    /// </summary>
    internal static void UpdateRange(Span<float> theta, ReadOnlySpan<float> gradientSum, float divisor, in OuterUpdate update)
    {
        float rate = (float)-update.LearningRate, scale = update.GradientScale, decay = (float)update.WeightDecay;
        bool decays = update.WeightDecay != 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vrate = new Vector<float>(rate); var vscale = new Vector<float>(scale);
            var vdecay = new Vector<float>(decay); var vdiv = new Vector<float>(divisor);
            var tv = MemoryMarshal.Cast<float, Vector<float>>(theta);
            var gv = MemoryMarshal.Cast<float, Vector<float>>(gradientSum);
            for (int j = 0; j < gv.Length; j++)
            {
                var gj = gv[j] / vdiv * vscale;
                if (decays) gj += vdecay * tv[j];
                tv[j] = tv[j] + vrate * gj;
            }
            i = gv.Length * Vector<float>.Count;
        }
        for (; i < theta.Length; i++)
        {
            float gi = gradientSum[i] / divisor * scale;
            if (decays) gi += decay * theta[i];
            theta[i] = theta[i] + rate * gi;
        }
    }
}
