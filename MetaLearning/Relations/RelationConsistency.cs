using static TorchSharp.torch;

namespace MetaCluster.Learning.Relations;

/// <summary>
/// TRLearner's relation-aware consistency L_TR = (1/T) Σ_i ‖g_i(X) − Σ_j A_ij g_j(X)‖², and the
/// coordinator's half of the exact two-phase step: from the gathered embeddings Z, task outputs
/// G and projections W it returns L_TR, A and the gradients of L_TR with respect to each, which
/// the workers then backpropagate through the graphs they kept.
/// </summary>
public static class RelationConsistency
{
    /// <summary>L_TR for a relation matrix A [T, T] and task outputs G [T, M, F] (a scalar tensor).</summary>
    public static Tensor Loss(Tensor relation, Tensor outputs)
    {
        long tasks = outputs.shape[0];
        var flat = outputs.reshape(tasks, -1);
        return (flat - matmul(relation, flat)).square().sum() / tasks;
    }

    /// <summary>
    /// Phase 1's coordinator computation, by autograd on leaf copies of the inputs (which are
    /// left untouched): L_TR, A, ∂L_TR/∂Z [T, D], ∂L_TR/∂G [T, M, F] and ∂L_TR/∂W [H, D_proj, D].
    /// Row i of Z and G belongs to the meta-batch's i-th task.
    /// </summary>
    public static RelationGradients Evaluate(Tensor embeddings, Tensor outputs, Tensor projections, double temperature)
    {
        if (outputs.shape[0] != embeddings.shape[0])
            throw new ArgumentException($"{embeddings.shape[0]} task embeddings but {outputs.shape[0]} task outputs");
        using var scope = NewDisposeScope();
        var z = embeddings.detach().clone().requires_grad_(true);
        var g = outputs.detach().clone().requires_grad_(true);
        var w = projections.detach().clone().requires_grad_(true);
        var relation = TaskSimilarity.RelationMatrix(z, w, temperature);
        var loss = Loss(relation, g);
        var grads = autograd.grad([loss], [z, g, w]);
        return new RelationGradients(
            loss.item<double>(),
            relation.detach().MoveToOuterDisposeScope(),
            grads[0].MoveToOuterDisposeScope(),
            grads[1].MoveToOuterDisposeScope(),
            grads[2].MoveToOuterDisposeScope());
    }
}

/// <summary>The coordinator's result of phase 1 (see <see cref="RelationConsistency.Evaluate"/>).</summary>
/// <param name="Loss">L_TR (without the weight λ).</param>
/// <param name="Relation">A [T, T].</param>
/// <param name="EmbeddingGradients">∂L_TR/∂Z [T, D]: row i goes to the worker holding task i.</param>
/// <param name="OutputGradients">∂L_TR/∂G [T, M, F]: slice i goes to the worker holding task i.</param>
/// <param name="ProjectionGradients">∂L_TR/∂W [H, D_proj, D]; the meta-update uses λ times this.</param>
public sealed record RelationGradients(double Loss, Tensor Relation, Tensor EmbeddingGradients, Tensor OutputGradients, Tensor ProjectionGradients) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose()
    {
        Relation.Dispose(); EmbeddingGradients.Dispose(); OutputGradients.Dispose(); ProjectionGradients.Dispose();
    }
}
