using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Observability;
using MetaCluster.Coordinator.Output;
using MetaCluster.Coordinator.Steps;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Tasks;
using MetaCluster.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Logging;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// The coordinator's loop for one run: per meta-step, publish θ, run the step on the workers
/// (<see cref="IMetaStep"/>, one per topology), apply the outer update (<see cref="RunParameters"/>),
/// record it (<see cref="RunRecorder"/>); at the end, evaluate on fresh tasks (<see cref="RunEvaluation"/>)
/// and write the summary. The coordinator holds no task data: workers rebuild tasks from (seed, step, index).
/// </summary>
public sealed class MetaTrainingRun(
    string runId, RunDefinition definition, MetaSteps steps, RunEvaluation evaluation, ParameterPublisher publisher,
    DataPlaneEndpoint endpoint, DataPlaneMetrics wire, ILogger<MetaTrainingRun> logger)
{
    private readonly RunRecorder recorder = new(runId, definition, logger);

    /// <summary>The latest progress.</summary>
    public RunStatus Status => recorder.Status;

    /// <summary>Runs to the end (or until <paramref name="cancellationToken"/> fires).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await TrainAndEvaluateAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            recorder.Stopped();
        }
        catch (Exception e)
        {
            recorder.Failed(e);
        }
        finally
        {
            RunMetrics.Forget(runId);
        }
    }

    private async Task TrainAndEvaluateAsync(CancellationToken cancellationToken)
    {
        var d = definition;
        var family = TaskFamilyCatalog.Create(d.Task, d.ToDataOptions());
        var model = family.CreateModel();
        var algorithm = AlgorithmCatalog.Create(d.Algorithm, d.InnerLoop(), fusedKernels: d.Kernels != "autograd");
        using var parameters = RunParameters.Initialize(runId, d, algorithm, model, publisher, ModelArchitecture.Describe(model, family));
        var shards = ShardPlan.Split(d.MetaBatch, d.Shards);
        var plan = new StepPlan(runId, d.ToSpec(), d.MetaBatch, shards, parameters.ModelElements, TimeSpan.FromSeconds(d.ShardTimeoutSeconds), endpoint.Url);
        var metaStep = steps.For(d, plan, parameters);
        long firstStep = recorder.Begin(parameters, family.Kind);

        using var runSpan = StepTrace.StartRun(runId, d.Task, d.Algorithm, d.MetaSteps, d.MetaBatch);
        for (long step = firstStep; step < d.MetaSteps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            parameters.Publish(step);
            using var trace = StepTrace.Start(runSpan, runId, step, d.MetaBatch, recorder.PhaseTotals);
            using var outcome = await metaStep.RunAsync(step, trace, cancellationToken);
            parameters.Update(outcome, step);
            trace.EndPhase(RunMetrics.Phases.Update);
            recorder.StepDone(step, outcome, parameters, trace);
        }
        double trainSeconds = recorder.TrainingDone(parameters);

        EvaluationReport? report = null;
        if (d.EvalTasks > 0)
        {
            recorder.Evaluating();
            parameters.Publish(d.MetaSteps);
            using (ClusterTelemetry.CoordinatorSource.StartActivity("evaluate"))
                report = await evaluation.RunAsync(runId, d, endpoint.Url, family.Kind, recorder.Evaluated, cancellationToken);
            foreach (var point in report.Results)
                if (point.Mean is { } mean) RunMetrics.RecordEvaluation(runId, report.Metric, point.InnerSteps, mean);
        }
        recorder.Complete(trainSeconds, shards.Length, wire.BytesSent, wire.BytesReceived, report);
    }
}
