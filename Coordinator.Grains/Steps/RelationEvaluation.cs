using MetaCluster.Learning.Relations;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;
using static TorchSharp.torch;

namespace MetaCluster.Coordinator.Steps;

/// <summary>
/// The coordinator's part of TRLearner's two-phase step: from the shards' embeddings z_i and
/// task outputs g_i(X) it assembles Z [T, D] and G [T, M, F] in task order, evaluates the
/// relation (A, L_TR and the gradients of L_TR, in float64) with the similarity layer W, and cuts
/// the upstream gradients into each shard's rows.
/// </summary>
public sealed class RelationEvaluation : IDisposable
{
    private RelationEvaluation(long[] tasks, RelationGradients gradients, float[][] upstream)
    {
        Tasks = tasks;
        Gradients = gradients;
        Upstream = upstream;
    }

    /// <summary>The meta-batch's task indices, in the order of the rows of A.</summary>
    public long[] Tasks { get; }

    /// <summary>L_TR, A and the gradients of L_TR.</summary>
    public RelationGradients Gradients { get; }

    /// <summary>Each shard's upstream gradients, shard order: its ∂L_TR/∂z rows then its ∂L_TR/∂g rows, flat.</summary>
    public float[][] Upstream { get; }

    /// <summary>Mean over rows of the entropy of A's rows (nats): log(T−1) when every task weighs the others alike.</summary>
    public double MeanRowEntropy()
    {
        using var scope = NewDisposeScope();
        var a = Gradients.Relation;
        using TorchSharp.Scalar floor = 1e-300;
        var terms = where(a > 0, -a * a.clamp_min(floor).log(), zeros_like(a));
        return terms.sum(1).mean().item<double>();
    }

    /// <summary>A as nested arrays, row i for <see cref="Tasks"/>[i].</summary>
    public double[][] Matrix()
    {
        var values = Gradients.Relation.to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        int t = Tasks.Length;
        return Enumerable.Range(0, t).Select(i => values.AsSpan(i * t, t).ToArray()).ToArray();
    }

    /// <summary>Evaluates the relation for the shards' phase-1 results (shard order) with projections <paramref name="projections"/> [H, D_proj, D].</summary>
    public static RelationEvaluation Evaluate(IReadOnlyList<ShardResultHeader> headers, IReadOnlyList<(float[] Values, long[] Shape)> outputs, Tensor projections, double temperature)
    {
        if (headers.Count != outputs.Count) throw new ArgumentException($"{headers.Count} adapt results but {outputs.Count} output results");
        using var scope = NewDisposeScope();
        var zParts = new List<Tensor>();
        var gParts = new List<Tensor>();
        var tasks = new List<long>();
        for (int s = 0; s < headers.Count; s++)
        {
            var embeddings = headers[s].RelationAdapt.TaskEmbeddings;
            zParts.Add(tensor(TensorWire.ToFloats(embeddings, "task_embeddings"), [.. embeddings.Shape]));
            gParts.Add(tensor(outputs[s].Values, outputs[s].Shape));
            if (outputs[s].Shape[0] != headers[s].TaskIndices.Count || embeddings.Shape[0] != headers[s].TaskIndices.Count)
                throw new InvalidDataException($"shard {s}: {headers[s].TaskIndices.Count} tasks, but embeddings [{string.Join(", ", embeddings.Shape)}] and outputs [{string.Join(", ", outputs[s].Shape)}]");
            tasks.AddRange(headers[s].TaskIndices);
        }
        // Rows in task order, whatever the shard layout.
        var order = Enumerable.Range(0, tasks.Count).OrderBy(i => tasks[i]).ToArray();
        var index = tensor(order.Select(i => (long)i).ToArray());
        var zAll = cat(zParts).to(ScalarType.Float64).index_select(0, index);
        var gAll = cat(gParts).to(ScalarType.Float64).index_select(0, index);
        var gradients = RelationConsistency.Evaluate(zAll, gAll, projections.to(ScalarType.Float64), temperature);
        // The result outlives this scope.
        gradients.Relation.DetachFromDisposeScope();
        gradients.EmbeddingGradients.DetachFromDisposeScope();
        gradients.OutputGradients.DetachFromDisposeScope();
        gradients.ProjectionGradients.DetachFromDisposeScope();

        // Back to shard order: row r of the sorted matrices is the row of tasks[order[r]].
        var rowOf = new int[order.Length];
        for (int r = 0; r < order.Length; r++) rowOf[order[r]] = r;
        var upstream = new float[headers.Count][];
        int offset = 0;
        for (int s = 0; s < headers.Count; s++)
        {
            int count = headers[s].TaskIndices.Count;
            var rows = tensor(Enumerable.Range(offset, count).Select(i => (long)rowOf[i]).ToArray());
            var dz = gradients.EmbeddingGradients.index_select(0, rows).flatten();
            var dg = gradients.OutputGradients.index_select(0, rows).flatten();
            upstream[s] = cat([dz, dg]).to(ScalarType.Float32).contiguous().data<float>().ToArray();
            offset += count;
        }
        return new RelationEvaluation(order.Select(i => tasks[i]).ToArray(), gradients, upstream);
    }

    /// <inheritdoc/>
    public void Dispose() => Gradients.Dispose();
}
