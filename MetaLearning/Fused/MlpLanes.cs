using System.Numerics;

namespace MetaCluster.Learning.Fused;

/// <summary>
/// Forward pass, backward pass and Hessian-vector product of a ReLU MLP with mean-squared-error
/// loss, written out by hand for a group of tasks in SIMD lanes: every scalar of the textbook
/// per-task computation is a <see cref="Vector{T}"/> whose lane j belongs to task j, so the code
/// reads like one task and runs <see cref="Vector{T}.Count"/> of them per instruction. Weights are
/// per lane too (each task's fast weights differ after its first inner step).
/// <para>
/// Loss of a task on N examples with O outputs: ℓ = Σ_n,o (z_L − y)² / (N·O), the model's
/// z_l = a_{l−1} W_lᵀ + b_l, a_l = relu(z_l) for hidden layers. relu′(z) = [z &gt; 0] = [a &gt; 0],
/// as in autograd, and relu″ = 0, so the Hessian-vector product (Pearlmutter's R-operator applied
/// to the backward pass) has no activation-curvature term.
/// </para>
/// </summary>
internal static class MlpLanes<T> where T : unmanaged, INumber<T>
{
    /// <summary>Fills the pass's hidden activations and outputs from its input and weights <paramref name="w"/>.</summary>
    public static void Forward(MlpShape shape, ReadOnlySpan<Vector<T>> w, LanePass<T> pass)
    {
        int n = pass.Examples;
        for (int l = 1; l <= shape.Layers; l++)
        {
            int inputs = shape.Widths[l - 1], outputs = shape.Widths[l];
            var weight = shape.Weight(w, l);
            var bias = shape.Bias(w, l);
            ReadOnlySpan<Vector<T>> previous = pass.Activations[l - 1];
            bool hidden = l < shape.Layers;
            Span<Vector<T>> current = hidden ? pass.Activations[l] : pass.Output;
            for (int e = 0; e < n; e++)
            {
                var a = previous.Slice(e * inputs, inputs);
                var z = current.Slice(e * outputs, outputs);
                for (int o = 0; o < outputs; o++)
                {
                    var row = weight.Slice(o * inputs, inputs);
                    var sum = bias[o];
                    for (int i = 0; i < row.Length; i++) sum += row[i] * a[i];
                    z[o] = hidden ? Vector.Max(sum, Vector<T>.Zero) : sum;
                }
            }
        }
    }

    /// <summary>
    /// The loss of each lane on targets <paramref name="y"/> [N·O] and δ_L = 2(z_L − y)/(N·O)
    /// into the pass.
    /// </summary>
    public static Vector<T> SquaredError(MlpShape shape, LanePass<T> pass, ReadOnlySpan<Vector<T>> y)
    {
        var output = pass.Output;
        var delta = pass.Deltas[shape.Layers];
        var inverseCount = new Vector<T>(T.One / T.CreateChecked(output.Length));
        var scale = inverseCount + inverseCount;
        var loss = Vector<T>.Zero;
        for (int k = 0; k < output.Length; k++)
        {
            var residual = output[k] - y[k];
            loss += residual * residual;
            delta[k] = scale * residual;
        }
        return loss * inverseCount;
    }

    /// <summary>
    /// Backpropagates the pass's δ_L: fills δ_l of the hidden layers and writes ∂ℓ/∂w into
    /// <paramref name="gradient"/> (overwritten).
    /// </summary>
    public static void Backward(MlpShape shape, ReadOnlySpan<Vector<T>> w, LanePass<T> pass, Span<Vector<T>> gradient)
    {
        gradient.Clear();
        int n = pass.Examples;
        for (int l = shape.Layers; l >= 1; l--)
        {
            int inputs = shape.Widths[l - 1], outputs = shape.Widths[l];
            var weight = shape.Weight(w, l);
            var weightGradient = shape.Weight(gradient, l);
            var biasGradient = shape.Bias(gradient, l);
            ReadOnlySpan<Vector<T>> delta = pass.Deltas[l], previous = pass.Activations[l - 1];
            for (int e = 0; e < n; e++)
            {
                var a = previous.Slice(e * inputs, inputs);
                var d = delta.Slice(e * outputs, outputs);
                for (int o = 0; o < outputs; o++)
                {
                    var go = d[o];
                    biasGradient[o] += go;
                    var row = weightGradient.Slice(o * inputs, inputs);
                    for (int i = 0; i < row.Length; i++) row[i] += go * a[i];
                }
            }
            if (l == 1) break;
            Span<Vector<T>> below = pass.Deltas[l - 1];
            below.Clear();
            for (int e = 0; e < n; e++)
            {
                var d = delta.Slice(e * outputs, outputs);
                var target = below.Slice(e * inputs, inputs);
                for (int o = 0; o < outputs; o++)
                {
                    var go = d[o];
                    var row = weight.Slice(o * inputs, inputs);
                    for (int i = 0; i < target.Length; i++) target[i] += go * row[i];
                }
                MaskByActive(target, previous.Slice(e * inputs, inputs));
            }
        }
    }

    /// <summary>
    /// hv = ∇²ℓ(w) v for the loss of <paramref name="pass"/> (forward and backward already run at
    /// <paramref name="w"/>), by the R-operator: r holds R{a_l}, R{z_L} and R{δ_l}.
    /// </summary>
    public static void HessianVector(MlpShape shape, ReadOnlySpan<Vector<T>> w, LanePass<T> pass,
        ReadOnlySpan<Vector<T>> v, Span<Vector<T>> hv, LanePass<T> r)
    {
        int n = pass.Examples;
        // R-forward: R{z_l} = R{a_{l−1}} W_lᵀ + a_{l−1} V_lᵀ + Vb_l, R{a_l} = R{z_l}·relu′(z_l); R{a_0} = 0.
        for (int l = 1; l <= shape.Layers; l++)
        {
            int inputs = shape.Widths[l - 1], outputs = shape.Widths[l];
            var weight = shape.Weight(w, l);
            var direction = shape.Weight(v, l);
            var biasDirection = shape.Bias(v, l);
            ReadOnlySpan<Vector<T>> previous = pass.Activations[l - 1];
            bool hidden = l < shape.Layers;
            Span<Vector<T>> current = hidden ? r.Activations[l] : r.Output;
            for (int e = 0; e < n; e++)
            {
                var a = previous.Slice(e * inputs, inputs);
                var z = current.Slice(e * outputs, outputs);
                for (int o = 0; o < outputs; o++)
                {
                    var sum = biasDirection[o];
                    var directionRow = direction.Slice(o * inputs, inputs);
                    for (int i = 0; i < directionRow.Length; i++) sum += directionRow[i] * a[i];
                    if (l > 1)
                    {
                        var ra = r.Activations[l - 1].AsSpan(e * inputs, inputs);
                        var row = weight.Slice(o * inputs, inputs);
                        for (int i = 0; i < row.Length; i++) sum += row[i] * ra[i];
                    }
                    z[o] = sum;
                }
                if (hidden) MaskByActive(z, pass.Activations[l].AsSpan(e * outputs, outputs));
            }
        }

        // R{δ_L} = 2 R{z_L}/(N·O).
        var outputDelta = r.Deltas[shape.Layers];
        var inverseCount = T.One / T.CreateChecked(outputDelta.Length);
        var scale = new Vector<T>(inverseCount + inverseCount);
        for (int k = 0; k < outputDelta.Length; k++) outputDelta[k] = scale * r.Output[k];

        // R-backward: R{∂ℓ/∂W_l} = R{δ_l}ᵀ a_{l−1} + δ_lᵀ R{a_{l−1}}, R{∂ℓ/∂b_l} = Σ R{δ_l},
        // R{δ_{l−1}} = (R{δ_l} W_l + δ_l V_l)·relu′(z_{l−1}).
        hv.Clear();
        for (int l = shape.Layers; l >= 1; l--)
        {
            int inputs = shape.Widths[l - 1], outputs = shape.Widths[l];
            var weight = shape.Weight(w, l);
            var direction = shape.Weight(v, l);
            var weightResult = shape.Weight(hv, l);
            var biasResult = shape.Bias(hv, l);
            ReadOnlySpan<Vector<T>> delta = pass.Deltas[l], rDelta = r.Deltas[l], previous = pass.Activations[l - 1];
            for (int e = 0; e < n; e++)
            {
                var a = previous.Slice(e * inputs, inputs);
                var d = delta.Slice(e * outputs, outputs);
                var rd = rDelta.Slice(e * outputs, outputs);
                for (int o = 0; o < outputs; o++)
                {
                    var rgo = rd[o];
                    biasResult[o] += rgo;
                    var row = weightResult.Slice(o * inputs, inputs);
                    if (l > 1)
                    {
                        var go = d[o];
                        var ra = r.Activations[l - 1].AsSpan(e * inputs, inputs);
                        for (int i = 0; i < row.Length; i++) row[i] += rgo * a[i] + go * ra[i];
                    }
                    else
                    {
                        for (int i = 0; i < row.Length; i++) row[i] += rgo * a[i];
                    }
                }
            }
            if (l == 1) break;
            Span<Vector<T>> below = r.Deltas[l - 1];
            below.Clear();
            for (int e = 0; e < n; e++)
            {
                var d = delta.Slice(e * outputs, outputs);
                var rd = rDelta.Slice(e * outputs, outputs);
                var target = below.Slice(e * inputs, inputs);
                for (int o = 0; o < outputs; o++)
                {
                    var go = d[o];
                    var rgo = rd[o];
                    var row = weight.Slice(o * inputs, inputs);
                    var directionRow = direction.Slice(o * inputs, inputs);
                    for (int i = 0; i < target.Length; i++) target[i] += rgo * row[i] + go * directionRow[i];
                }
                MaskByActive(target, previous.Slice(e * inputs, inputs));
            }
        }
    }

    /// <summary>values[i] = 0 where activation[i] ≤ 0 (relu′ of the pre-activation is 0 there).</summary>
    private static void MaskByActive(Span<Vector<T>> values, ReadOnlySpan<Vector<T>> activation)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] = Vector.ConditionalSelect(Vector.GreaterThan(activation[i], Vector<T>.Zero), values[i], Vector<T>.Zero);
    }
}
