using System.Diagnostics;
using System.Text.Json;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Observability;
using MetaCluster.Coordinator.Output;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Evaluation;
using MetaCluster.Learning.Optimisation;
using MetaCluster.Learning.Relations;
using MetaCluster.Learning.Tasks;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;
using MetaCluster.Abstractions;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// The coordinator's loop for one run. Per meta-step: publish θ (one version per step), fan the
/// meta-batch's shards out, take the mean of the summed outer gradients, apply Adam. At the end,
/// evaluate on fresh tasks from the evaluation stream and write the run directory.
/// The coordinator holds no task data: workers rebuild tasks from (seed, step, index).
/// </summary>
public sealed partial class MetaTrainingRun(
    string runId, RunDefinition definition, MetaStepExecutor executor, ParameterStore parameters,
    DataPlaneEndpoint endpoint, DataPlaneMetrics wire, ILogger<MetaTrainingRun> logger)
{
    private volatile RunStatus status = new() { RunId = runId, State = RunState.Pending, MetaSteps = definition.MetaSteps, EvalTasks = definition.EvalTasks };

    /// <summary>The latest progress.</summary>
    public RunStatus Status => status;

    /// <summary>Name in <c>step_phase_milliseconds</c> of the slowest shard's compute time within fan-out.</summary>
    public const string FanOutComputePhase = "fan_out_compute";

    /// <summary>The meta-parameters after the run (or so far), flat.</summary>
    public float[]? FinalParameters { get; private set; }

    /// <summary>Runs to the end (or until <paramref name="cancellationToken"/> fires).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await TrainAndEvaluateAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            status = status with { State = RunState.Stopped };
        }
        catch (Exception e)
        {
            LogRunFailed(runId, e);
            status = status with { State = RunState.Failed, Error = e.Message };
        }
        finally
        {
            parameters.Remove(runId);
        }
    }

    private async Task TrainAndEvaluateAsync(CancellationToken cancellationToken)
    {
        var d = definition;
        var family = TaskFamilyCatalog.Create(d.Task, d.ToDataOptions());
        var model = family.CreateModel();
        var algorithm = AlgorithmCatalog.Create(d.Algorithm, new InnerLoopSettings(d.InnerSteps, d.InnerLr), fusedKernels: d.Kernels != "autograd");
        var output = d.OutputDirectory is null ? null : new RunDirectory(d.OutputDirectory);
        var checkpoints = output is null ? null : new CheckpointDirectory(output.Path);
        output?.WriteJson("run.json", d);

        // With TRLearner the similarity layer W is appended to the flat meta-parameters, so Adam and
        // the checkpoints cover it; workers get (and compute gradients for) only the model's part.
        var tr = d.TrLearner();
        long[] projectionShape = [tr.Heads, tr.ProjectionSize, model.FeatureSize];
        using var theta = tr.Enabled
            ? InitializeWithProjections(algorithm.InitializeMetaParameters(model, d.Seed), tr, model.FeatureSize, d.Seed)
            : algorithm.InitializeMetaParameters(model, d.Seed);
        int modelElements = tr.Enabled ? (int)(theta.numel() - projectionShape.Aggregate(1L, (a, b) => a * b)) : (int)theta.numel();
        using var adam = new Adam(d.OuterLr);
        int firstStep = 0;
        if (d.Resume && checkpoints?.LoadLatest() is { } resumed)
        {
            firstStep = Resume(resumed, theta, adam);
            output!.TruncateMetrics(firstStep);
            LogResumed(runId, firstStep);
        }
        else
        {
            output?.ResetMetrics();
        }
        int elements = modelElements;
        // Relays of a reduction tree may replicate Adam (not TRLearner's: W is never sent).
        using var optimizer = new SharedOptimizer(adam);
        if (!tr.Enabled) optimizer.ShareThrough(parameters, runId);
        long publishedByUpdate = -1;
        var shards = ShardPlan.Split(d.MetaBatch, d.Shards);
        var template = new ShardRequest
        {
            Key = new ShardKey { RunId = runId },
            Spec = d.ToSpec(),
            MetaBatch = d.MetaBatch,
            DataPlaneUrl = endpoint.Url,
            Mode = ShardMode.Train,
        };
        var timeout = TimeSpan.FromSeconds(d.ShardTimeoutSeconds);

        using var runSpan = StepTrace.StartRun(runId, d.Task, d.Algorithm, d.MetaSteps, d.MetaBatch);
        var clock = Stopwatch.StartNew();
        status = status with { State = RunState.Training };
        double lastLoss = double.NaN;
        long retries = 0, saturated = 0;
        RelationRound? relation = null;
        var phaseTotals = new StepPhaseTotals();
        for (int step = firstStep; step < d.MetaSteps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (publishedByUpdate != step) OuterStep.Publish(parameters, runId, step, theta, modelElements, optimizer.Step);
            template.Key.Step = step;
            template.ParameterVersion = step;
            using var stepTrace = StepTrace.Start(runSpan, runId, step, d.MetaBatch, phaseTotals);
            IReadOnlyList<ShardResultHeader> headers;
            int workers, stepRetries;
            if (!tr.Enabled)
            {
                var result = await executor.RunAsync(template, shards, elements, timeout, cancellationToken, d.ReduceGroup, d.ReduceTree);
                stepTrace.EndPhase(ClusterMetrics.Phases.FanOut);
                // The part of fan-out the slowest shard spent computing; the rest is what the
                // cluster costs (grain calls, θ and gradients over gRPC, waiting).
                phaseTotals.Add(FanOutComputePhase, TimeSpan.FromSeconds(result.Headers.Max(h => h.ComputeSeconds)));
                stepTrace.EndPhase(ClusterMetrics.Phases.Aggregation);
                optimizer.UpdateAndPublish(parameters, runId, theta, result.GradientSum!, d.MetaBatch, step, result.SoleRelayedResult);
                publishedByUpdate = step + 1;
                stepTrace.EndPhase(ClusterMetrics.Phases.Update);
                executor.Recycle(result.GradientSum!);
                (headers, workers, stepRetries) = (result.Headers, result.Workers, result.Retries);
            }
            else
            {
                var result = await executor.RunRelationStepAsync(template, shards, elements, timeout, (adapted, outputs) =>
                {
                    // Called once per attempt at the step; only the last (successful) one counts.
                    relation?.Dispose();
                    using var w = theta.narrow(0, modelElements, theta.numel() - modelElements).reshape(projectionShape);
                    relation = RelationRound.Evaluate(adapted, outputs, w, tr.Temperature);
                    return relation.Upstream;
                }, cancellationToken, stepTrace.EndPhase);
                // The shards' gradients are each already divided by T (RelationShard.Backward), so the
                // sum is the gradient of (1/T) Σ ℓ + λ L_TR with respect to θ, like the λ = 0 path's
                // GradientSum / T; W's part is λ ∂L_TR/∂W.
                using (var modelGradient = tensor(result.GradientSum, [elements]))
                using (var projectionGradient = (relation!.Gradients.ProjectionGradients * tr.Lambda).flatten().to(ScalarType.Float32)) // operator: its scalar is disposed after the call
                using (var gradient = cat([modelGradient, projectionGradient]))
                    optimizer.Apply(theta, gradient);
                stepTrace.EndPhase(ClusterMetrics.Phases.Update);
                (headers, workers, stepRetries) = (result.Headers, result.Workers, result.Retries);
            }
            retries += stepRetries;
            phaseTotals.StepFinished();
            long stepSaturated = headers.Sum(h => h.GradientSaturated);
            if (stepSaturated > 0 && saturated == 0) LogGradientSaturated(runId, step + 1, stepSaturated, d.GradDtype);
            saturated += stepSaturated;

            lastLoss = headers.SelectMany(h => h.TaskLosses).Average();
            // A worker of an older build sends no metrics: its shards' metric is then unknown, and
            // the loss stands in, as it always equals the metric for regression.
            double lastMetric = headers.All(h => h.TaskMetrics.Count == h.TaskLosses.Count)
                ? headers.SelectMany(h => h.TaskMetrics).Average()
                : lastLoss;
            if (!double.IsFinite(lastLoss)) throw new InvalidOperationException($"the meta-training loss became {lastLoss} at step {step + 1}");
            double elapsed = clock.Elapsed.TotalSeconds;
            double tasksPerSecond = (step + 1 - firstStep) * (double)d.MetaBatch / elapsed;
            status = status with
            {
                Step = step + 1,
                Loss = lastLoss,
                TasksPerSecond = tasksPerSecond,
                Workers = workers,
                ElapsedSeconds = elapsed,
                EtaSeconds = elapsed / (step + 1 - firstStep) * (d.MetaSteps - step - 1),
            };
            ClusterMetrics.RecordStep(runId, d.MetaBatch, lastLoss, lastMetric, tasksPerSecond, workers, stepRetries);
            if (relation is not null) ClusterMetrics.RecordRelationMatrix(runId, relation.Matrix());
            stepTrace.Span?.SetTag("metacluster.loss", lastLoss);
            stepTrace.Span?.SetTag(ClusterTelemetry.Attributes.Workers, workers);
            if (checkpoints is not null && d.CheckpointEvery > 0 && (step + 1) % d.CheckpointEvery == 0 && step + 1 < d.MetaSteps)
                checkpoints.Save(Snapshot(step + 1, theta, adam));
            if (output is not null && ((step + 1) % d.LogEvery == 0 || step + 1 == d.MetaSteps))
            {
                output.AppendMetrics(new MetricsLine(step + 1, lastLoss, TaskLosses.MetricName(family.Kind), lastMetric,
                    tasksPerSecond, workers, elapsed, stepRetries, relation?.Gradients.Loss, relation?.MeanRowEntropy()));
                if (relation is not null) output.WriteJson("relation.json", new RelationFile(step + 1, relation.Tasks, relation.Matrix()));
            }
        }
        relation?.Dispose();
        double trainSeconds = clock.Elapsed.TotalSeconds;
        FinalParameters = theta.data<float>().ToArray();
        checkpoints?.SaveFinal(Snapshot(d.MetaSteps, theta, adam));

        EvaluationReport? evaluation = null;
        if (d.EvalTasks > 0)
        {
            status = status with { State = RunState.Evaluating };
            using (ClusterTelemetry.CoordinatorSource.StartActivity("evaluate"))
                evaluation = await EvaluateAsync(FinalParameters[..modelElements], family.Kind, cancellationToken);
            foreach (var point in evaluation.Results)
                ClusterMetrics.RecordEvaluation(runId, evaluation.Metric, point.InnerSteps, point.Mean);
        }

        var summary = new RunSummary
        {
            RunId = runId, Task = d.Task, Algorithm = d.Algorithm, MetaSteps = d.MetaSteps, MetaBatch = d.MetaBatch,
            Ways = d.Ways, Shots = d.Shots, Query = d.Query, InnerSteps = d.InnerSteps, InnerLr = d.InnerLr, OuterLr = d.OuterLr,
            TrLambda = d.TrLambda, Workers = d.Workers, Shards = shards.Length, Device = d.Device, Seed = d.Seed,
            TrainSeconds = Math.Round(trainSeconds, 3),
            TasksPerSecond = Math.Round((d.MetaSteps - firstStep) * (double)d.MetaBatch / trainSeconds, 1),
            FinalTrainLoss = lastLoss, ShardRetries = retries, StepPhaseMilliseconds = phaseTotals.MeanMillisecondsPerStep(),
            GradDtype = d.GradDtype, Kernels = d.Kernels, ReduceGroup = d.ReduceGroup, ReduceTree = d.ReduceTree, GradientSaturated = saturated,
            BytesSent = wire.BytesSent, BytesReceived = wire.BytesReceived,
            Eval = evaluation,
        };
        output?.WriteJson("summary.json", summary);
        status = status with { State = RunState.Completed, SummaryJson = JsonSerializer.Serialize(summary, RunJson.Indented) };
    }

    private async Task<EvaluationReport> EvaluateAsync(float[] theta, TaskKind kind, CancellationToken cancellationToken)
    {
        var d = definition;
        long version = d.MetaSteps;
        parameters.Publish(runId, version, theta);
        var shards = ShardPlan.Split(d.EvalTasks, (d.EvalTasks + d.EvalShardTasks - 1) / d.EvalShardTasks);
        var template = new ShardRequest
        {
            // Evaluation rounds use a step number after the last meta-step, so their results
            // can never be mistaken for a training step's.
            Key = new ShardKey { RunId = runId, Step = version },
            Spec = d.ToSpec(),
            MetaBatch = d.EvalTasks,
            ParameterVersion = version,
            DataPlaneUrl = endpoint.Url,
            Mode = ShardMode.Evaluate,
        };
        var result = await executor.RunAsync(template, shards, 0, TimeSpan.FromSeconds(d.ShardTimeoutSeconds), cancellationToken);
        int columns = d.EvalInnerSteps.Length;
        var perTask = result.Headers.SelectMany(h => h.EvalMetrics).ToArray();
        var points = d.EvalInnerSteps.Select((k, j) =>
        {
            var values = Enumerable.Range(0, perTask.Length / columns).Select(i => perTask[i * columns + j]).ToArray();
            var summary = MeanWithInterval.Of(values);
            return new EvaluationPoint(k, summary.Mean, summary.Ci95);
        }).ToArray();
        status = status with { EvaluatedTasks = perTask.Length / Math.Max(1, columns) };
        return new EvaluationReport(TaskLosses.MetricName(kind), perTask.Length / Math.Max(1, columns), points);
    }

    private static Tensor InitializeWithProjections(Tensor modelParameters, TrLearnerSettings tr, int featureSize, ulong seed)
    {
        using (modelParameters)
        using (var w = TaskSimilarity.InitializeProjections(tr.Heads, tr.ProjectionSize, featureSize, seed))
            return cat([modelParameters, w.flatten()]);
    }

    private Checkpoint Snapshot(long step, Tensor theta, Adam adam) =>
        new(runId, definition, step, adam.Step, theta.data<float>().ToArray(),
            adam.FirstMoment?.data<float>().ToArray(), adam.SecondMoment?.data<float>().ToArray());

    private int Resume(Checkpoint checkpoint, Tensor theta, Adam adam)
    {
        if (checkpoint.Theta.Length != theta.numel())
            throw new InvalidDataException($"checkpoint of step {checkpoint.Step} holds {checkpoint.Theta.Length} parameters; this run's model has {theta.numel()}");
        using (no_grad()) theta.copy_(tensor(checkpoint.Theta));
        if (checkpoint.FirstMoment is { } m && checkpoint.SecondMoment is { } v)
            adam.Restore(checkpoint.AdamStep, tensor(m), tensor(v));
        return (int)checkpoint.Step;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} resumes from its checkpoint of step {Step}")]
    private partial void LogResumed(string runId, long step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step}: {Count} outer-gradient elements were beyond the range of {Dtype} and were sent as its largest value (counted in summary.json as gradient_saturated; later steps are not logged)")]
    private partial void LogGradientSaturated(string runId, long step, long count, string dtype);

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {RunId} failed")]
    private partial void LogRunFailed(string runId, Exception exception);
}

/// <summary>relation.json: the relation matrix A of the last logged step, row i for task <c>Tasks[i]</c> of that step's meta-batch.</summary>
public sealed record RelationFile(long Step, long[] Tasks, double[][] Matrix);
