using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Output;
using MetaCluster.Coordinator.Steps;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Tasks;
using WorkKind = MetaCluster.Protos.DataPlane.V1.ShardRequest.WorkOneofCase;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// A run's final evaluation: one round of evaluation work over the held-out task stream, with θ
/// published as version <c>meta_steps</c> (a step number no training round has, so their results
/// can never be mistaken for a training step's), summarised as mean and 95% interval per inner-step count
/// over the tasks whose metric is finite, with the diverged ones counted (<see cref="EvaluationPoint.Of"/>).
/// </summary>
public sealed class RunEvaluation(DirectRound round)
{
    /// <summary>
    /// Evaluates the run's θ, already published as <paramref name="parameterVersion"/> (default
    /// <see cref="RunDefinition.MetaSteps"/>; the best validation's θ goes out as meta_steps + 1);
    /// <paramref name="evaluated"/> hears how many tasks were scored.
    /// </summary>
    public async Task<EvaluationReport> RunAsync(string runId, RunDefinition run, string dataPlaneUrl, TaskKind kind, Action<int> evaluated, CancellationToken cancellationToken,
        long? parameterVersion = null)
    {
        long version = run.MetaSteps;
        var shards = ShardPlan.Split(run.EvalTasks, (run.EvalTasks + run.EvalShardTasks - 1) / run.EvalShardTasks);
        var work = new RoundWork(runId, version, parameterVersion ?? version, run.EvalTasks, run.ToSpec(), dataPlaneUrl, WorkKind.Evaluate);
        var result = await round.RunAsync(work, shards, 0, TimeSpan.FromSeconds(run.ShardTimeoutSeconds), cancellationToken);
        int columns = run.EvalInnerSteps.Length;
        var perTask = result.Shards.SelectMany(h => h.Evaluate.Metrics).ToArray();
        var points = run.EvalInnerSteps.Select((k, j) =>
        {
            var values = Enumerable.Range(0, perTask.Length / columns).Select(i => perTask[i * columns + j]).ToArray();
            return EvaluationPoint.Of(k, values);
        }).ToArray();
        evaluated(perTask.Length / Math.Max(1, columns));
        return new EvaluationReport(TaskLosses.MetricName(kind), perTask.Length / Math.Max(1, columns), points);
    }
}
