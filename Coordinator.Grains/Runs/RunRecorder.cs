using System.Diagnostics;
using System.Text.Json;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Export;
using MetaCluster.Coordinator.Observability;
using MetaCluster.Coordinator.Output;
using MetaCluster.Coordinator.Steps;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Tasks;
using MetaCluster.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Logging;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// Everything a run records about itself: its live status, the run directory (run.json,
/// metrics.jsonl, relation.json, checkpoints, summary.json), the per-run metrics, and the totals
/// the summary reports. The training loop hands it each step's outcome; it owns none of the maths.
/// Files are written so a kill or a full disk at any point leaves what a resume can use: each
/// step's metrics line before its checkpoint, checkpoints and model.safetensors atomically.
/// </summary>
/// <param name="runId">The run.</param>
/// <param name="definition">What the run is.</param>
/// <param name="logger">Where resumes, refusals and failures are logged.</param>
/// <param name="create">Opens the files checkpoints and the export are written to (tests make it fail as a full disk does).</param>
public sealed partial class RunRecorder(string runId, RunDefinition definition, ILogger logger, FileStreamFactory? create = null)
{
    private readonly RunDirectory? output = definition.OutputDirectory is null ? null : new RunDirectory(definition.OutputDirectory);
    private readonly CheckpointDirectory? checkpoints = definition.OutputDirectory is null ? null : new CheckpointDirectory(definition.OutputDirectory, create: create);
    private readonly Stopwatch clock = new();
    private volatile RunStatus status = new() { RunId = runId, State = RunState.Pending, MetaSteps = definition.MetaSteps, EvalTasks = definition.EvalTasks };
    private long firstStep, retries, saturated;
    // Meta-steps trained when training ended: meta_steps, or fewer when the run stopped early.
    private long trained = definition.MetaSteps;
    private double lastLoss = double.NaN;
    private string? resumeNote;
    private TaskKind kind;
    private RunTensorboard? tensorboard;

    /// <summary>The latest progress.</summary>
    public RunStatus Status => status;

    /// <summary>Where the run's meta-steps spent their time.</summary>
    public StepPhaseTotals PhaseTotals { get; } = new();

    /// <summary>
    /// Writes run.json and, on <c>--resume</c>, restores <paramref name="parameters"/> from the
    /// newest checkpoint that verifies (metrics.jsonl is cut back to it); returns the first step to
    /// run. A resume whose definition differs from its checkpoint's is refused
    /// (<see cref="RunRefusedException"/>) before run.json is touched. Metrics are named for tasks
    /// of <paramref name="taskKind"/>.
    /// </summary>
    public long Begin(RunParameters parameters, TaskKind taskKind)
    {
        kind = taskKind;
        if (output is not null)
        {
            if (definition.Resume) firstStep = Resume(output, checkpoints!, parameters);
            else output.ResetMetrics();
            output.WriteJson("run.json", definition);
            if (definition.Tensorboard) tensorboard = new RunTensorboard(output.Path);
        }
        status = status with { State = RunState.Training };
        clock.Start();
        return firstStep;
    }

    private long Resume(RunDirectory output, CheckpointDirectory checkpoints, RunParameters parameters)
    {
        var found = checkpoints.LoadNewestValid();
        foreach (var rejected in found.Rejected) LogCheckpointRejected(runId, rejected.Reason);
        if (found.Checkpoint is not { } checkpoint)
        {
            // Checkpoints that are all damaged (or of an old format) are not "nothing to resume":
            // starting afresh would prune them, so the user decides.
            if (found.Rejected.Count > 0)
                throw new RunRefusedException($"--resume: no checkpoint in {checkpoints.Path} verifies; the newest: {found.Rejected[0].Reason}");
            LogNothingToResume(runId, checkpoints.Path);
            resumeNote = $"started fresh: --resume found no checkpoint in {checkpoints.Path}";
            output.ResetMetrics();
            return 0;
        }
        string path = found.Path!;
        ResumeCheck.Require(checkpoint.Definition, definition, path);
        ResumeCheck.RequireWithin(checkpoint.Step, definition, path);
        ResumeCheck.RequireTensors(checkpoint.Tensors, parameters.Tensors, path);
        long step = parameters.Restore(checkpoint);
        if (output.TruncateMetrics(step) is { } torn) LogTornMetricsLine(runId, torn);
        string file = Path.GetFileName(path);
        resumeNote = found.Rejected.Count == 0
            ? $"from step {step} ({file})"
            : $"from step {step} ({file}; newer checkpoints did not verify: {string.Join(", ", found.Rejected.Select(r => Path.GetFileName(r.Path)))})";
        if (found.Rejected.Count == 0) LogResumed(runId, step, path);
        else LogResumedFromOlder(runId, step, path, found.Rejected.Count);
        return step;
    }

    /// <summary>
    /// Records meta-step <paramref name="step"/>: status, metrics, its span's tags, and the checkpoint
    /// and metrics line when due (always on a step that was <paramref name="validation"/>'s, which the line then carries).
    /// </summary>
    public void StepDone(long step, StepOutcome outcome, RunParameters parameters, StepTrace trace, EvaluationPoint? validation = null)
    {
        var d = definition;
        retries += outcome.Retries;
        PhaseTotals.StepFinished();
        long stepSaturated = outcome.Saturated;
        if (stepSaturated > 0 && saturated == 0) LogGradientSaturated(runId, step + 1, stepSaturated, d.GradDtype);
        saturated += stepSaturated;

        lastLoss = outcome.TaskLosses.Average();
        double metric = outcome.TaskMetrics.Average();
        double elapsed = clock.Elapsed.TotalSeconds;
        double tasksPerSecond = (step + 1 - firstStep) * (double)d.MetaBatch / elapsed;
        status = status with
        {
            Step = step + 1, Loss = lastLoss, TasksPerSecond = tasksPerSecond, Workers = outcome.Workers, ElapsedSeconds = elapsed,
            EtaSeconds = elapsed / (step + 1 - firstStep) * (d.MetaSteps - step - 1),
        };
        RunMetrics.RecordStep(runId, d.MetaBatch, lastLoss, metric, tasksPerSecond, outcome.Workers, outcome.Retries);
        var relation = outcome.Relation;
        if (relation is not null) RunMetrics.RecordRelationMatrix(runId, relation.Matrix());
        trace.Span?.SetTag("metacluster.loss", lastLoss);
        trace.Span?.SetTag(ClusterTelemetry.Attributes.Workers, outcome.Workers);
        if (output is null) return;
        // The metrics line before the checkpoint: a kill between the two then leaves a line the
        // resume cuts away and writes again, never a checkpoint whose step has no line.
        if ((step + 1) % d.LogEvery == 0 || step + 1 == d.MetaSteps || validation is not null)
        {
            output.AppendMetrics(new MetricsLine(step + 1, lastLoss, TaskLosses.MetricName(kind), metric, tasksPerSecond, outcome.Workers, elapsed, outcome.Retries,
                relation?.Gradients.Loss, relation?.MeanRowEntropy(), validation?.Mean));
            tensorboard?.Step(step + 1, lastLoss, TaskLosses.MetricName(kind), metric, tasksPerSecond, PhaseTotals.MeanMillisecondsPerStep());
            if (relation is not null) output.WriteJson("relation.json", new RelationFile(step + 1, relation.Tasks, relation.Matrix()));
        }
        if (d.CheckpointEvery > 0 && (step + 1) % d.CheckpointEvery == 0 && step + 1 < d.MetaSteps)
            checkpoints!.Save(parameters.Snapshot(d, step + 1));
    }

    /// <summary>Stops the training clock while the run validates (tasks/s and the training time leave validation out).</summary>
    public void PauseClock() => clock.Stop();

    /// <summary>Restarts the training clock after a validation.</summary>
    public void ResumeClock() => clock.Start();

    /// <summary>
    /// Records the validation after <paramref name="trainedSteps"/> meta-steps (<paramref name="tracker"/>
    /// has it already): status, TensorBoard, and when it <paramref name="improved"/> on the best,
    /// checkpoints/best.ckpt and best.safetensors (θ as of that step). Returns the best's snapshot when it improved.
    /// </summary>
    public Checkpoint? Validated(long trainedSteps, EvaluationPoint point, ValidationTracker tracker, bool improved, RunParameters parameters)
    {
        string metric = TaskLosses.MetricName(kind);
        status = status with
        {
            ValidationStep = trainedSteps, ValidationValue = point.Mean ?? double.NaN, ValidationMetric = metric,
            BestStep = tracker.BestStep, BestValue = tracker.BestValue ?? double.NaN,
        };
        tensorboard?.Validation(trainedSteps, metric, point.Mean, tracker.BestValue);
        if (!improved) return null;
        var best = parameters.Snapshot(definition, trainedSteps);
        if (output is not null)
        {
            string path = Path.Combine(checkpoints!.Path, BestName);
            best.Save(path, create);
            RunExport.Write(best, Path.ChangeExtension(path, ".safetensors"), create);
        }
        return best;
    }

    /// <summary>The validation state the run starts with (<see cref="ValidationResume"/>): the best checkpoint to keep, if any.</summary>
    public Checkpoint? RestoreValidation(ValidationTracker tracker) =>
        output is null ? null : ValidationResume.Restore(output, checkpoints!.Path, firstStep, tracker);

    /// <summary>The best validation's checkpoint in checkpoints/ (and best.safetensors beside it).</summary>
    public const string BestName = "best.ckpt";

    /// <summary>
    /// Ends training after <paramref name="trainedSteps"/> meta-steps (fewer than meta_steps when the
    /// run stopped early): stops the clock, writes the final checkpoint and exports θ as
    /// model.safetensors. Returns the training time.
    /// </summary>
    public double TrainingDone(RunParameters parameters, long trainedSteps)
    {
        clock.Stop();
        trained = trainedSteps;
        if (output is not null)
        {
            var final = parameters.Snapshot(definition, trainedSteps);
            checkpoints!.SaveFinal(final);
            RunExport.Write(final, Path.Combine(output.Path, RunExport.FileName), create);
        }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Marks the final evaluation as running.</summary>
    public void Evaluating() => status = status with { State = RunState.Evaluating };

    /// <summary>Notes how many evaluation tasks were scored.</summary>
    public void Evaluated(int tasks) => status = status with { EvaluatedTasks = tasks };

    /// <summary>Writes summary.json and completes the run.</summary>
    public void Complete(double trainSeconds, int shards, long bytesSent, long bytesReceived, EvaluationReport? evaluation,
        ValidationSummary? validation = null, string? evaluatedCheckpoint = null)
    {
        if (evaluation is not null) tensorboard?.Evaluation(evaluation);
        var d = definition;
        var summary = new RunSummary
        {
            RunId = runId, Task = d.Task, Algorithm = d.Algorithm, MetaSteps = d.MetaSteps, MetaBatch = d.MetaBatch,
            Ways = d.Ways, Shots = d.Shots, Query = d.Query, InnerSteps = d.InnerSteps, InnerLr = d.InnerLr, OuterLr = d.OuterLr,
            OuterOptimizer = d.OuterOptimizer, LrSchedule = d.LrSchedule, WarmupSteps = d.WarmupSteps, MinOuterLr = d.MinOuterLr,
            ClipGradNorm = d.ClipGradNorm, WeightDecay = d.WeightDecay,
            TrLambda = d.TrLambda, Workers = d.Workers, Shards = shards, Device = d.Device, Seed = d.Seed,
            TrainSeconds = Math.Round(trainSeconds, 3),
            TasksPerSecond = Math.Round((trained - firstStep) * (double)d.MetaBatch / trainSeconds, 1),
            FinalTrainLoss = lastLoss, ShardRetries = retries, StepPhaseMilliseconds = PhaseTotals.MeanMillisecondsPerStep(),
            GradDtype = d.GradDtype, Kernels = d.Kernels, ReduceGroup = d.ReduceGroup, ReduceTree = d.ReduceTree, GradientSaturated = saturated,
            BytesSent = bytesSent, BytesReceived = bytesReceived, Resume = resumeNote,
            Eval = evaluation, Validation = validation, EvaluatedCheckpoint = evaluatedCheckpoint, Environment = RunEnvironment.Current(),
        };
        output?.WriteJson("summary.json", summary);
        status = status with { State = RunState.Completed, SummaryJson = JsonSerializer.Serialize(summary, RunJson.Indented) };
    }

    /// <summary>Marks the run stopped on request, durably: a restarted coordinator does not resume it.</summary>
    public void Stopped()
    {
        status = status with { State = RunState.Stopped };
        RecordEnd("stopped", null);
    }

    /// <summary>Marks the run failed with <paramref name="error"/>, durably: a restarted coordinator does not run it again.</summary>
    public void Failed(Exception error)
    {
        // A refusal, a damaged file, a deterministic worker error or a diverged step is the user's to
        // fix and its message says all (one line naming the field, file or step); a stack trace would only bury it.
        if (error is TrainingDivergedException) LogRunDiverged(runId, error.Message);
        else if (error is RunRefusedException or InvalidDataException || error.InnerException is DeterministicWorkException) LogRunRefused(runId, error.Message);
        else LogRunFailed(runId, error);
        status = status with { State = RunState.Failed, Error = error.Message };
        RecordEnd("failed", error.Message);
    }

    private void RecordEnd(string ended, string? error)
    {
        if (output is null) return;
        try { ((RunRecord.Read(output.Path) ?? new RunRecord()) with { Ended = ended, Error = error, Step = status.Step, Loss = double.IsFinite(status.Loss) ? status.Loss : null }).Write(output.Path); }
        catch (IOException) { } // the status above still says it; a full disk must not hide why the run ended
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} resumes from its checkpoint of step {Step} ({Path})")]
    private partial void LogResumed(string runId, long step, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} resumes from the older checkpoint of step {Step} ({Path}): the newer {Count} did not verify")]
    private partial void LogResumedFromOlder(string runId, long step, string path, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: skipping a checkpoint that does not verify: {Reason}")]
    private partial void LogCheckpointRejected(string runId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: --resume found no checkpoint in {Path}; the run starts fresh")]
    private partial void LogNothingToResume(string runId, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: {Torn}")]
    private partial void LogTornMetricsLine(string runId, string torn);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} diverged and stops (its last good checkpoint is kept): {Reason}")]
    private partial void LogRunDiverged(string runId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} did not start or stopped on a data problem: {Reason}")]
    private partial void LogRunRefused(string runId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step}: {Count} outer-gradient elements were beyond the range of {Dtype} and were sent as its largest value (counted in summary.json as gradient_saturated; later steps are not logged)")]
    private partial void LogGradientSaturated(string runId, long step, long count, string dtype);

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {RunId} failed")]
    private partial void LogRunFailed(string runId, Exception exception);
}

/// <summary>relation.json: the relation matrix A of the last logged step, row i for task <c>Tasks[i]</c> of that step's meta-batch.</summary>
public sealed record RelationFile(long Step, long[] Tasks, double[][] Matrix);
