using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Relations;

/// <summary>
/// TRLearner's multi-headed similarity layer and relation matrix, as pure functions of the task
/// embeddings Z [T, D] and the learnable projections W [H, D_proj, D]:
/// s_ij = (1/H) Σ_h cos(W_h z_i, W_h z_j), and A_ij = softmax over j ≠ i of s_ij / τ
/// (rows sum to 1, A_ii = 0).
/// </summary>
public static class TaskSimilarity
{
    // Guards the cosine against a zero projection; far below any real norm, so it changes nothing else.
    private const double NormFloor = 1e-12;

    /// <summary>Initial projections W [H, D_proj, D], uniform in ±1/√D (nn.Linear's default), deterministic in the seed.</summary>
    public static Tensor InitializeProjections(int heads, int projectionSize, int featureSize, ulong seed, ScalarType dtype = ScalarType.Float32)
    {
        if (heads < 1 || projectionSize < 1 || featureSize < 1)
            throw new ArgumentException($"similarity layer needs positive sizes, got heads {heads}, projection {projectionSize}, features {featureSize}");
        // A stream of its own, so the projections never share draws with the model's initialisation.
        var random = new TaskRandom(seed, stream: ulong.MaxValue - 1, step: 0, index: 0);
        double bound = 1.0 / Math.Sqrt(featureSize);
        var values = new double[(long)heads * projectionSize * featureSize];
        for (long i = 0; i < values.Length; i++) values[i] = random.Uniform(-bound, bound);
        return tensor(values, [heads, projectionSize, featureSize], dtype: ScalarType.Float64).to(dtype);
    }

    /// <summary>s [T, T]: the mean over heads of the cosine similarity of the projected embeddings.</summary>
    public static Tensor Similarities(Tensor embeddings, Tensor projections)
    {
        if (embeddings.dim() != 2 || projections.dim() != 3 || projections.shape[2] != embeddings.shape[1])
            throw new ArgumentException($"embeddings [{string.Join(", ", embeddings.shape)}] and projections [{string.Join(", ", projections.shape)}] do not fit: expected [T, D] and [H, D_proj, D]");
        var projected = matmul(embeddings.unsqueeze(0), projections.transpose(1, 2));      // [H, T, D_proj]
        // Scalars kept alive by name: TorchSharp's implicit ones can be finalised during the native call.
        using TorchSharp.Scalar floor = NormFloor;
        var unit = projected / projected.norm(2, true).clamp_min(floor);                   // per row
        return matmul(unit, unit.transpose(1, 2)).mean([0]);                              // [T, T]
    }

    /// <summary>A [T, T]: row i is the softmax of s_ij / τ over j ≠ i, with A_ii = 0. Needs T ≥ 2.</summary>
    public static Tensor RelationMatrix(Tensor embeddings, Tensor projections, double temperature)
    {
        long tasks = embeddings.shape[0];
        if (tasks < 2) throw new ArgumentException($"a relation matrix needs at least 2 tasks, got {tasks}");
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), "the temperature τ must be positive");
        var scaled = Similarities(embeddings, projections) / temperature;
        var self = eye(tasks, dtype: ScalarType.Bool, device: scaled.device);
        using TorchSharp.Scalar minusInfinity = double.NegativeInfinity;
        return softmax(scaled.masked_fill(self, minusInfinity), 1);
    }
}
