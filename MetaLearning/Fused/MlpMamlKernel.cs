using System.Numerics;

namespace MetaCluster.Learning.Fused;

/// <summary>A shard's regression tasks as flat row-major arrays: inputs [T, N, in], targets [T, N, out].</summary>
public sealed record RegressionShard<T>(int Tasks, int Shots, int Queries, T[] SupportX, T[] SupportY, T[] QueryX, T[] QueryY);

/// <summary>What <see cref="MlpMamlKernel{T}"/> returns for a shard.</summary>
/// <param name="GradientSum">Σ_i of each task's outer gradient, [P].</param>
/// <param name="QueryLosses">ℓ(Q_i; θ_i) per task.</param>
/// <param name="Embeddings">Mean penultimate activation of each task's query set under its adapted weights, [T, D].</param>
public sealed record MlpMamlResult<T>(T[] GradientSum, double[] QueryLosses, T[] Embeddings);

/// <summary>
/// MAML's outer gradient for a ReLU MLP with MSE loss, computed without autograd.
/// θ_0 = θ, θ_{j+1} = θ_j − α∇ℓ(S; θ_j) for k steps; v = ∇ℓ(Q; θ_k); second order then applies
/// the inner steps' Jacobians backwards, v ← (I − α∇²ℓ(S; θ_j)) v for j = k−1 … 0, each a
/// Hessian-vector product (<see cref="MlpLanes{T}.HessianVector"/>); first order keeps v.
/// Tasks run <see cref="Vector{T}.Count"/> at a time in SIMD lanes; the sum over tasks is taken
/// in task order, so the result does not depend on the grouping.
/// </summary>
public static class MlpMamlKernel<T> where T : unmanaged, INumber<T>
{
    /// <summary>Computes the shard. <paramref name="theta"/> is the flat meta-parameter vector in <paramref name="shape"/>'s layout.</summary>
    public static MlpMamlResult<T> Run(MlpShape shape, ReadOnlySpan<T> theta, RegressionShard<T> shard, int innerSteps, T learningRate, bool firstOrder)
    {
        if (theta.Length != shape.ParameterCount)
            throw new ArgumentException($"theta has {theta.Length} elements, the MLP {shape.ParameterCount}");
        int lanes = Vector<T>.Count, p = shape.ParameterCount;
        var workspace = new Workspace(shape, shard, innerSteps);
        var gradientSum = new T[p];
        var losses = new double[shard.Tasks];
        var embeddings = new T[shard.Tasks * shape.Features];
        var alpha = new Vector<T>(learningRate);

        for (int first = 0; first < shard.Tasks; first += lanes)
        {
            int count = Math.Min(lanes, shard.Tasks - first);
            workspace.Load(shard, first, count);
            var fast = workspace.Fast;
            for (int k = 0; k < p; k++) fast[0][k] = new Vector<T>(theta[k]);

            for (int j = 0; j < innerSteps; j++)
            {
                var pass = workspace.Support[j];
                MlpLanes<T>.Forward(shape, fast[j], pass);
                MlpLanes<T>.SquaredError(shape, pass, workspace.SupportY);
                MlpLanes<T>.Backward(shape, fast[j], pass, workspace.Gradient);
                var (from, to, gradient) = (fast[j], fast[j + 1], workspace.Gradient);
                for (int k = 0; k < p; k++) to[k] = from[k] - alpha * gradient[k];
            }

            var query = workspace.Query;
            MlpLanes<T>.Forward(shape, fast[innerSteps], query);
            var loss = MlpLanes<T>.SquaredError(shape, query, workspace.QueryY);
            var v = workspace.Direction;
            MlpLanes<T>.Backward(shape, fast[innerSteps], query, v);
            if (!firstOrder)
            {
                for (int j = innerSteps - 1; j >= 0; j--)
                {
                    MlpLanes<T>.HessianVector(shape, fast[j], workspace.Support[j], v, workspace.Gradient, workspace.Tangent);
                    var hv = workspace.Gradient;
                    for (int k = 0; k < p; k++) v[k] -= alpha * hv[k];
                }
            }

            for (int t = 0; t < count; t++) losses[first + t] = double.CreateChecked(loss[t]);
            for (int k = 0; k < p; k++)
            {
                var sum = gradientSum[k];
                for (int t = 0; t < count; t++) sum += v[k][t];
                gradientSum[k] = sum;
            }
            WriteEmbeddings(shape, query, first, count, embeddings);
        }
        return new MlpMamlResult<T>(gradientSum, losses, embeddings);
    }

    private static void WriteEmbeddings(MlpShape shape, LanePass<T> query, int first, int count, T[] embeddings)
    {
        int d = shape.Features, n = query.Examples;
        var features = query.Activations[shape.Layers - 1];
        var inverse = new Vector<T>(T.One / T.CreateChecked(n));
        for (int i = 0; i < d; i++)
        {
            var sum = Vector<T>.Zero;
            for (int e = 0; e < n; e++) sum += features[e * d + i];
            sum *= inverse;
            for (int t = 0; t < count; t++) embeddings[(first + t) * d + i] = sum[t];
        }
    }

    /// <summary>Buffers for one group of tasks, reused from group to group.</summary>
    private sealed class Workspace
    {
        private readonly int inputs, outputs;

        public Workspace(MlpShape shape, RegressionShard<T> shard, int innerSteps)
        {
            (inputs, outputs) = (shape.Inputs, shape.Outputs);
            var supportX = new Vector<T>[shard.Shots * inputs];
            Support = new LanePass<T>[innerSteps];
            for (int j = 0; j < innerSteps; j++)
            {
                Support[j] = new LanePass<T>(shape, shard.Shots);
                Support[j].Activations[0] = supportX;
            }
            SupportY = new Vector<T>[shard.Shots * outputs];
            Query = new LanePass<T>(shape, shard.Queries);
            QueryY = new Vector<T>[shard.Queries * outputs];
            Tangent = new LanePass<T>(shape, shard.Shots);
            Fast = new Vector<T>[innerSteps + 1][];
            for (int j = 0; j <= innerSteps; j++) Fast[j] = new Vector<T>[shape.ParameterCount];
            Gradient = new Vector<T>[shape.ParameterCount];
            Direction = new Vector<T>[shape.ParameterCount];
            SupportInputs = supportX;
        }

        /// <summary>One pass per inner step (their inputs are shared); the HVPs reuse them.</summary>
        public LanePass<T>[] Support { get; }

        public Vector<T>[] SupportInputs { get; }

        public Vector<T>[] SupportY { get; }

        public LanePass<T> Query { get; }

        public Vector<T>[] QueryY { get; }

        /// <summary>Scratch of the R-operator.</summary>
        public LanePass<T> Tangent { get; }

        /// <summary>θ_0 … θ_k per lane.</summary>
        public Vector<T>[][] Fast { get; }

        public Vector<T>[] Gradient { get; }

        /// <summary>The outer gradient being carried back through the inner steps.</summary>
        public Vector<T>[] Direction { get; }

        /// <summary>Transposes tasks first … first+count−1 into lanes; unused lanes get zeros.</summary>
        public void Load(RegressionShard<T> shard, int first, int count)
        {
            Transpose(shard.SupportX, shard.Shots * inputs, first, count, SupportInputs);
            Transpose(shard.SupportY, shard.Shots * outputs, first, count, SupportY);
            Transpose(shard.QueryX, shard.Queries * inputs, first, count, Query.Activations[0]);
            Transpose(shard.QueryY, shard.Queries * outputs, first, count, QueryY);
        }

        private static void Transpose(T[] source, int perTask, int first, int count, Vector<T>[] target)
        {
            Span<T> lane = stackalloc T[Vector<T>.Count];
            for (int k = 0; k < perTask; k++)
            {
                lane.Clear();
                for (int t = 0; t < count; t++) lane[t] = source[(first + t) * perTask + k];
                target[k] = new Vector<T>(lane);
            }
        }
    }
}
