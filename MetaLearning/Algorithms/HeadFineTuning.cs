using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Algorithms;

/// <summary>
/// Meta-test adaptation of the head only (ANIL, MTL): the body is frozen, so the support and
/// query features are computed once and each inner step runs only the last layer.
/// </summary>
internal static class HeadFineTuning
{
    /// <summary>Fine-tunes each task's head on its support set and records the query metric after each of <paramref name="innerSteps"/> steps.</summary>
    public static EvaluationOutcome Evaluate(IFunctionalModel model, Tensor theta, TaskBatch batch, IReadOnlyList<int> innerSteps, double learningRate)
    {
        using var scope = NewDisposeScope();
        var head = InnerLoop.HeadEntries(model);
        var start = InnerLoop.Broadcast(model, theta.detach(), batch.Count);
        Tensor supportFeatures, queryFeatures;
        using (no_grad())
        {
            supportFeatures = model.Features(start, batch.SupportX);
            queryFeatures = model.Features(start, batch.QueryX);
        }
        return StepwiseEvaluation.Run(start, head,
            fast =>
            {
                var loss = TaskLosses.PerTask(batch.Kind, model.Head(fast, supportFeatures), batch.SupportY).sum();
                return InnerLoop.Step(loss, fast, head, (_, g) => learningRate * g, createGraph: false);
            },
            fast => TaskLosses.Metric(batch.Kind, model.Head(fast, queryFeatures), batch.QueryY),
            innerSteps, fast => model.Head(fast, queryFeatures));
    }
}
