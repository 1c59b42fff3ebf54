using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Observability;
using MetaCluster.Coordinator.Output;
using MetaCluster.Coordinator.Steps;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Tasks;
using System.Diagnostics;
using MetaCluster.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Logging;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// The coordinator's loop for one run: per meta-step, publish θ, run the step on the workers
/// (<see cref="IMetaStep"/>, one per topology), stop if it diverged (<see cref="DivergenceGuard"/>),
/// apply the outer update (<see cref="RunParameters"/>), record it (<see cref="RunRecorder"/>); with
/// <c>val_every</c>, validate when due (<see cref="RunValidation"/>, <see cref="ValidationTracker"/>:
/// best checkpoint, early stop); at the end, evaluate on fresh tasks (<see cref="RunEvaluation"/>;
/// the best validation's θ when the run validated) and write the summary. The coordinator holds no
/// task data: workers rebuild tasks from (seed, step, index).
/// </summary>
public sealed partial class MetaTrainingRun(
    string runId, RunDefinition definition, MetaSteps steps, RunEvaluation evaluation, RunValidation validation, ParameterPublisher publisher,
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
            recorder.Failed(DivergenceGuard.Classify(e));
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
        var tracker = new ValidationTracker(d, TaskLosses.MetricName(family.Kind));
        Checkpoint? best = recorder.RestoreValidation(tracker);
        long trained = d.MetaSteps;

        ActivityContext run;
        using (var runSpan = StepTrace.StartRun(runId, d.Task, d.Algorithm, d.MetaSteps, d.MetaBatch))
        {
            LogRunStarted(runId, d.Task, d.Algorithm, firstStep, d.MetaSteps, shards.Length);
            run = runSpan?.Context ?? default;
        }
        for (long step = firstStep; step < d.MetaSteps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            parameters.Publish(step);
            using var trace = StepTrace.Start(run, runId, step, d.MetaBatch, recorder.PhaseTotals);
            using var outcome = await metaStep.RunAsync(step, trace, cancellationToken);
            DivergenceGuard.Check(step, outcome);
            parameters.Update(outcome, step);
            trace.EndPhase(RunMetrics.Phases.Update);
            EvaluationPoint? validated = null;
            if (tracker.Due(step + 1))
            {
                recorder.PauseClock();
                using (ClusterTelemetry.CoordinatorSource.StartActivity("validate"))
                    validated = await validation.RunAsync(runId, d, step + 1, endpoint.Url, cancellationToken);
                bool improved = tracker.Record(step + 1, validated.Mean);
                best = recorder.Validated(step + 1, validated, tracker, improved, parameters) ?? best;
                recorder.ResumeClock();
            }
            recorder.StepDone(step, outcome, parameters, trace, validated);
            if (tracker.ShouldStop)
            {
                trained = step + 1;
                break;
            }
        }
        double trainSeconds = recorder.TrainingDone(parameters, trained);

        EvaluationReport? report = null;
        string? evaluated = null;
        if (d.EvalTasks > 0)
        {
            recorder.Evaluating();
            // The best validation's θ replaces the last one for the evaluation (the final checkpoint and model.safetensors keep the last).
            // It goes out as a version of its own, meta_steps + 1: workers cache θ by version, and
            // version meta_steps (the last step's θ) may already be cached from the last validation.
            if (best is not null) parameters.Restore(best);
            evaluated = best is null ? null : $"{RunRecorder.BestName} (step {best.Step})";
            long version = best is null ? d.MetaSteps : d.MetaSteps + 1;
            parameters.Publish(version);
            using (StepTrace.StartEvaluation(run, runId))
                report = await evaluation.RunAsync(runId, d, endpoint.Url, family.Kind, recorder.Evaluated, cancellationToken, version);
            foreach (var point in report.Results)
                if (point.Mean is { } mean) RunMetrics.RecordEvaluation(runId, report.Metric, point.InnerSteps, mean);
        }
        var summary = tracker.Enabled
            ? new ValidationSummary(TaskLosses.MetricName(family.Kind), RunValidation.InnerSteps(d), d.ValTasks, d.ValEvery, RunValidation.DescribeSplit(d, family),
                tracker.Count, tracker.BestStep, tracker.BestValue, d.EarlyStop, tracker.StoppedEarlyAt)
            : null;
        recorder.Complete(trainSeconds, shards.Length, wire.BytesSent, wire.BytesReceived, report, summary, evaluated);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} starts: {Task} with {Algorithm}, meta-steps {FirstStep} to {MetaSteps} in {Shards} shard(s)")]
    private partial void LogRunStarted(string runId, string task, string algorithm, long firstStep, int metaSteps, int shards);
}
