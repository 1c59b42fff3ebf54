using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Algorithms;

/// <summary>The pieces every gradient-based inner loop shares: task-batched weights and one descent step.</summary>
internal static class InnerLoop
{
    /// <summary>θ (flat) as per-task weights [T, …] that share θ's storage and gradient.</summary>
    public static Tensor[] Broadcast(IFunctionalModel model, Tensor flat, int tasks) =>
        model.Layout.Views(flat).Select(v => v.unsqueeze(0).expand([tasks, .. v.shape])).ToArray();

    /// <summary>The layout indices of the model's head (its last <see cref="IFunctionalModel.HeadEntryCount"/> entries).</summary>
    public static int[] HeadEntries(IFunctionalModel model)
    {
        int count = model.Layout.Entries.Count;
        return Enumerable.Range(count - model.HeadEntryCount, model.HeadEntryCount).ToArray();
    }

    /// <summary>All layout indices of the model.</summary>
    public static int[] AllEntries(IFunctionalModel model) => Enumerable.Range(0, model.Layout.Entries.Count).ToArray();

    /// <summary>
    /// Σ over tasks of the support loss under <paramref name="fast"/>. A loss that the inner step
    /// will differentiate with <paramref name="createGraph"/> is differentiated twice in all, so
    /// its forward pass runs inside <see cref="SecondOrderPasses"/>.
    /// </summary>
    public static Tensor SupportLoss(IFunctionalModel model, Tensor[] fast, TaskBatch batch, bool createGraph)
    {
        using var marked = SecondOrderPasses.Enter(createGraph);
        return TaskLosses.PerTask(batch.Kind, model.Forward(fast, batch.SupportX), batch.SupportY).sum();
    }

    /// <summary>
    /// One gradient-descent step on <paramref name="loss"/> for the chosen entries of
    /// <paramref name="fast"/>: w ← w − <paramref name="scaled"/>(entry, ∇w). Other entries are
    /// returned unchanged. With <paramref name="createGraph"/> the step is differentiable (second
    /// order); without it the gradients are constants and the step only shifts the weights.
    /// </summary>
    public static Tensor[] Step(Tensor loss, Tensor[] fast, int[] entries, Func<int, Tensor, Tensor> scaled, bool createGraph)
    {
        // Tasks are independent, so the gradient of the summed loss with respect to [T, …] fast
        // weights is each task's own gradient in its own slice.
        var inputs = entries.Select(e => fast[e]).ToArray();
        // TorchSharp, unlike PyTorch, does not default retain_graph to create_graph.
        var grads = autograd.grad([loss], inputs, retain_graph: createGraph, create_graph: createGraph);
        var next = (Tensor[])fast.Clone();
        for (int k = 0; k < entries.Length; k++)
            next[entries[k]] = fast[entries[k]] - scaled(entries[k], grads[k]);
        return next;
    }
}
