using System.Collections.Concurrent;
using MetaCluster.Abstractions;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.TaskWorker.Hosting;
using MetaCluster.TaskWorker.Observability;
using Microsoft.Extensions.Options;
using WorkKind = MetaCluster.Protos.DataPlane.V1.ShardRequest.WorkOneofCase;

namespace MetaCluster.TaskWorker.Execution;

/// <summary>
/// The worker process's <see cref="IWorkRunner"/>: one case per kind of work, each handed to the
/// code that does it (training and groups, evaluation and prediction, TRLearner's phases).
/// </summary>
public sealed partial class ShardRunner(TrainingWork training, RelationWork relations, IOptions<WorkerOptions> options, ILogger<ShardRunner> logger) : IWorkRunner
{
    private readonly ConcurrentDictionary<RunSpec, ResolvedRunSpec> resolved = new();
    private int inFlight;

    /// <summary>Whether a failure is the work's own (its data, its definition) rather than this worker's or the network's.</summary>
    public static bool IsDeterministic(Exception e) =>
        e is ArgumentException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or NotSupportedException or FormatException;

    /// <inheritdoc/>
    public int InFlight => Volatile.Read(ref inFlight);

    /// <inheritdoc/>
    public async Task<ShardReceipt> RunAsync(string workerId, ShardRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref inFlight);
        try
        {
            using var span = ShardTracing.StartShard(workerId, options.Value.DeviceOf(workerId), request);
            if (!resolved.TryGetValue(request.Spec, out var spec))
            {
                spec = resolved.GetOrAdd(request.Spec, s => ResolvedRunSpec.From(s, options.Value.DataRoots));
                // Once per run and process, inside the shard's span: the log line carries the step's trace id.
                LogJoinedRun(workerId, request.Key.RunId, request.Key.Step, WorkNames.Of(request.WorkCase));
            }
            return request.WorkCase switch
            {
                WorkKind.Train => await training.TrainAsync(workerId, request, spec, cancellationToken),
                WorkKind.TrainGroup => await training.TrainGroupAsync(workerId, request, spec, cancellationToken),
                WorkKind.Evaluate => await training.EvaluateAsync(workerId, request, spec, cancellationToken),
                WorkKind.Predict => await training.PredictAsync(workerId, request, spec, cancellationToken),
                WorkKind.RelationAdapt => await relations.AdaptAsync(workerId, request, spec, cancellationToken),
                WorkKind.RelationOutputs => await relations.OutputsAsync(workerId, request, spec, cancellationToken),
                WorkKind.RelationBackward => await relations.BackwardAsync(workerId, request, cancellationToken),
                _ => throw new ArgumentException("the request names no kind of work (ShardRequest.work is unset)"),
            };
        }
        catch (Exception e) when (IsDeterministic(e))
        {
            // The same on every worker at every attempt: not worth a retry (the coordinator fails the run with it).
            throw new DeterministicWorkException(e.Message.Split('\n')[0], e);
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} takes its first shard of run {RunId} at step {Step} ({Work})")]
    private partial void LogJoinedRun(string workerId, string runId, long step, string work);
}
