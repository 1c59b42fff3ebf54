using System.Diagnostics;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.Tests.Cluster;
using MetaCluster.ServiceDefaults.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;
using MetaCluster.Abstractions;
using MetaCluster.TaskWorker.Observability;

namespace MetaCluster.Tests.Observability;

/// <summary>One meta-step is one trace across the coordinator and the workers, with the documented tree.</summary>
[Collection(ClusterCollection.Name)]
public sealed class MetaStepTracingTests
{
    [Fact]
    public async Task OneMetaStepIsOneTraceFromTheCoordinatorThroughTheGrainCallIntoEachWorker()
    {
        var spans = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder()
                   .AddSource(ClusterTelemetry.CoordinatorSourceName, ClusterTelemetry.TaskWorkerSourceName, ClusterTelemetry.LearningSourceName, ActivitySources.ApplicationGrainActivitySourceName)
                   .AddInMemoryExporter(spans)
                   .Build())
        {
            await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 2, shards: 2, steps: 2, ClusterRuns.TempDirectory()));
            tracing.ForceFlush();
        }

        var step = Assert.Single(spans, s => s.OperationName == "meta-step" && Equals(s.GetTagItem(ClusterTelemetry.Attributes.Step), 1L));
        Assert.Equal(default, step.ParentSpanId);
        var run = Assert.Single(spans, s => s.OperationName == "run" && s.TraceId != step.TraceId);
        Assert.Contains(step.Links, l => l.Context.SpanId == run.SpanId);
        string runId = (string)step.GetTagItem(ClusterTelemetry.Attributes.RunId)!;

        var trace = spans.Where(s => s.TraceId == step.TraceId).ToArray();
        var byId = trace.ToDictionary(s => s.SpanId);
        List<string> PathToRoot(Activity span)
        {
            var names = new List<string>();
            for (var s = span; s is not null; s = byId.GetValueOrDefault(s.ParentSpanId)) names.Add(s.Source.Name + ":" + s.OperationName);
            return names;
        }

        var shards = trace.Where(s => s.Source.Name == ClusterTelemetry.TaskWorkerSourceName && s.OperationName == "shard").ToArray();
        Assert.Equal([0, 1], shards.Select(s => (int)s.GetTagItem(ClusterTelemetry.Attributes.Shard)!).Order());
        Assert.Equal(2, shards.Select(s => s.GetTagItem(ClusterTelemetry.Attributes.Worker)).Distinct().Count());
        foreach (var shard in shards)
        {
            Assert.Equal(runId, shard.GetTagItem(ClusterTelemetry.Attributes.RunId));
            Assert.Equal(1L, shard.GetTagItem(ClusterTelemetry.Attributes.Step));
            Assert.Equal("cpu", shard.GetTagItem(ClusterTelemetry.Attributes.Device));
            // Worker span ← Orleans server ← Orleans client ← the coordinator's assignment ← the meta-step.
            Assert.Equal(
                ["MetaCluster.TaskWorker:shard", "Microsoft.Orleans.Application:ITaskWorkerGrain/RunAsync",
                 "Microsoft.Orleans.Application:ITaskWorkerGrain/RunAsync", "MetaCluster.Coordinator:shard.assign", "MetaCluster.Coordinator:meta-step"],
                PathToRoot(shard));
            var children = trace.Where(s => s.ParentSpanId == shard.SpanId).Select(s => s.OperationName).ToHashSet();
            // Sinusoid MAML runs the fused MLP kernel: one span of the learning library's own for the
            // learning work (autograd shards have inner-loop and outer-backward instead).
            Assert.Superset(new HashSet<string> { "parameters.fetch", "fused-shard", "result.send" }, children);
            var send = Assert.Single(trace, s => s.ParentSpanId == shard.SpanId && s.OperationName == "result.send");
            Assert.True((long)send.GetTagItem(ClusterTelemetry.Attributes.Bytes)! > 0);
        }
        var phases = trace.Where(s => s.ParentSpanId == step.SpanId && s.Source.Name == ClusterTelemetry.CoordinatorSourceName)
            .Select(s => s.OperationName).ToHashSet();
        Assert.Superset(new HashSet<string> { "fan-out", "aggregation", "update", "shard.assign" }, phases);
        // Step 0's spans are in another trace.
        Assert.DoesNotContain(trace, s => Equals(s.GetTagItem(ClusterTelemetry.Attributes.Step), 0L));
    }

    [Fact]
    public void TheHostsListenToTheLearningLibrarysOwnSource() =>
        Assert.Equal(MetaCluster.Learning.Diagnostics.LearningTelemetry.SourceName, ClusterTelemetry.LearningSourceName);

    [Fact]
    public void AWorkerWithoutAnAmbientSpanContinuesTheTraceNamedInTheRequest()
    {
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(ClusterTelemetry.TaskWorkerSourceName).AddInMemoryExporter(spans).Build();
        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            var request = new ShardRequest
            {
                Key = new ShardKey { RunId = "r", Step = 7, Shard = 2, Attempt = 1 },
                TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            };
            using (var shard = ShardTracing.StartShard("w", "cpu", request))
            {
                Assert.NotNull(shard);
                Assert.Equal("0af7651916cd43dd8448eb211c80319c", shard.TraceId.ToHexString());
                Assert.Equal("b7ad6b7169203331", shard.ParentSpanId.ToHexString());
                Assert.Equal(2, shard.GetTagItem(ClusterTelemetry.Attributes.Shard));
            }
        }
        finally
        {
            Activity.Current = previous;
        }
    }
}
