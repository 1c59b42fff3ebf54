using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Output;
using MetaCluster.Coordinator.Steps;
using MetaCluster.Learning.Images;
using MetaCluster.Learning.Tasks;
using MetaCluster.Learning.Tasks.Tabular;
using MetaCluster.Protos.DataPlane.V1;
using WorkKind = MetaCluster.Protos.DataPlane.V1.ShardRequest.WorkOneofCase;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// Meta-validation: one round of evaluation work over the run's validation tasks
/// (<c>TaskStream.Validation</c>: the same <c>val_tasks</c> tasks every time, from the validation
/// split of the training data), scored after <see cref="InnerSteps"/> inner steps with θ as
/// published after the step just trained. The round's step number is <c>meta_steps</c> + that step,
/// a number no training or evaluation round has, so a late result can never be taken for theirs.
/// </summary>
public sealed class RunValidation(DirectRound round)
{
    /// <summary>The inner-step count the validation metric is taken after: <c>val_inner_steps</c>, or the largest of <c>eval_inner_steps</c>.</summary>
    public static int InnerSteps(RunDefinition run) => run.ValInnerSteps ?? run.EvalInnerSteps.Max();

    /// <summary>Scores θ as published for version <paramref name="trainedSteps"/> on the validation tasks.</summary>
    public async Task<EvaluationPoint> RunAsync(string runId, RunDefinition run, long trainedSteps, string dataPlaneUrl, CancellationToken cancellationToken)
    {
        int tasks = run.ValTasks;
        var shards = ShardPlan.Split(tasks, (tasks + run.EvalShardTasks - 1) / run.EvalShardTasks);
        var evaluate = new EvaluateWork { Validation = true };
        evaluate.InnerSteps.Add(InnerSteps(run));
        var work = new RoundWork(runId, run.MetaSteps + trainedSteps, trainedSteps, tasks, run.ToSpec(), dataPlaneUrl, WorkKind.Evaluate) { Evaluation = evaluate };
        var result = await round.RunAsync(work, shards, 0, TimeSpan.FromSeconds(run.ShardTimeoutSeconds), cancellationToken);
        return EvaluationPoint.Of(InnerSteps(run), result.Shards.SelectMany(h => h.Evaluate.Metrics).ToArray());
    }

    /// <summary>How the run's validation split was chosen, in words, for summary.json.</summary>
    public static string DescribeSplit(RunDefinition run, ITaskFamily family) => family switch
    {
        ImageTasks { Validation: { } v } when run.ValClasses is not null =>
            $"{v.Classes.Count} image class(es) listed in {run.ValClasses}, taken out of the meta-training classes",
        ImageTasks { Validation: { } v } =>
            $"{v.Classes.Count} image class(es): val_fraction {run.ValFraction} of the meta-training classes at evenly spaced positions in group/class order (seed-independent), disjoint from the training and evaluation classes",
        TabularTasks { ValidationTasks.Count: > 0 } t =>
            $"{t.ValidationTasks.Count} CSV file(s): val_fraction {run.ValFraction} of the training files at evenly spaced positions in name order (seed-independent), disjoint from the training and held-out files",
        _ => $"generated tasks: a task stream of its own (seeded apart from the training and evaluation streams)",
    };
}
