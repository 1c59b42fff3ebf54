using MetaCluster.Abstractions;
using MetaCluster.DataPlane.Reduction;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.TaskWorker.Execution;
using MetaCluster.TaskWorker.Relay;
using Microsoft.Extensions.DependencyInjection;

namespace MetaCluster.Testing.Faults;

/// <summary>
/// Fault injection for tests of the exactly-once and retry rules, as decorators around a real
/// cluster's worker services (nothing of it is in the product). Each hook returns an exception to
/// throw instead of the real work, or null to let it run.
/// </summary>
public sealed class WorkerFaults
{
    /// <summary>
    /// Called with the worker id and the request before a shard runs; an exception is thrown
    /// instead of running it (and, for TRLearner's later phases, the worker drops the graph it
    /// kept, as a restarted worker would have lost it).
    /// </summary>
    public Func<string, ShardRequest, Exception?>? BeforeShard { get; set; }

    /// <summary>Called before a relay forwards a super-group's result; an exception fails the forward.</summary>
    public Func<RelayPlan, Exception?>? BeforeRelayForward { get; set; }

    /// <summary>Called with (a copy of) the gradient a relay records for its replica; changing it makes the replica diverge.</summary>
    public Action<RelayPlan, float[]>? BeforeRelayRecordsGradient { get; set; }

    /// <summary>Wraps the worker services of <paramref name="services"/> so these hooks take effect.</summary>
    public void InjectInto(IServiceCollection services)
    {
        services.Decorate<IWorkRunner>((inner, provider) => new FaultyRunner(inner, this, provider.GetRequiredService<RelationShardStore>()));
        services.Decorate<IRelayForwarder>((inner, _) => new FaultyForwarder(inner, this));
        services.Decorate<IForwardedGradients>((inner, _) => new DivergingGradients(inner, this));
    }

    private sealed class FaultyRunner(IWorkRunner inner, WorkerFaults faults, RelationShardStore graphs) : IWorkRunner
    {
        public int InFlight => inner.InFlight;

        public Task<ShardReceipt> RunAsync(string workerId, ShardRequest request, CancellationToken cancellationToken)
        {
            if (faults.BeforeShard?.Invoke(workerId, request) is not { } fault) return inner.RunAsync(workerId, request, cancellationToken);
            if (request.WorkCase is ShardRequest.WorkOneofCase.RelationOutputs or ShardRequest.WorkOneofCase.RelationBackward) graphs.Forget(request.Key.RunId);
            return Task.FromException<ShardReceipt>(fault);
        }
    }

    private sealed class FaultyForwarder(IRelayForwarder inner, WorkerFaults faults) : IRelayForwarder
    {
        public Task ForwardAsync(RelayPlan plan, ShardResultHeader result, GradientLease sum)
        {
            if (faults.BeforeRelayForward?.Invoke(plan) is not { } fault) return inner.ForwardAsync(plan, result, sum);
            sum.Dispose();
            return Task.FromException(fault);
        }
    }

    private sealed class DivergingGradients(IForwardedGradients inner, WorkerFaults faults) : IForwardedGradients
    {
        public void Record(RelayPlan plan, float[] sumAsSent)
        {
            if (faults.BeforeRelayRecordsGradient is { } diverge)
            {
                sumAsSent = (float[])sumAsSent.Clone(); // the forwarded bytes are already encoded: only the replica's copy changes
                diverge(plan, sumAsSent);
            }
            inner.Record(plan, sumAsSent);
        }
    }
}
