using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Relations;
using MetaCluster.Learning.Tasks;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.TaskWorker.Execution;

namespace MetaCluster.Tests.Learning;

/// <summary>The graphs a worker keeps between TRLearner's phases must not outlive their step.</summary>
public sealed class TrLearnerGraphStoreTests
{
    [Fact]
    public void KeptGraphsAreServedByKeyAndLeaveWhenUsedUpForgottenOrExpired()
    {
        using var store = new RelationShardStore { TimeToLive = TimeSpan.FromMinutes(1) };
        var a = Key(step: 3, shard: 0, attempt: 0);
        var b = Key(step: 3, shard: 1, attempt: 8);
        store.Keep(a, Shard(3));
        store.Keep(b, Shard(3));
        Assert.Equal(2, store.Count);

        // Only the exact key finds a graph; a used-up graph is gone.
        Assert.Throws<KeyNotFoundException>(() => store.Use(Key(step: 3, shard: 1, attempt: 0), release: false, s => s));
        Assert.Equal(2, store.Use(a, release: false, s => s.TaskIndices.Count));
        store.Use(a, release: true, s => 0);
        Assert.Equal(1, store.Count);
        Assert.Throws<KeyNotFoundException>(() => store.Use(a, release: false, s => s));

        // Not expired yet, then expired.
        store.Sweep(DateTime.UtcNow + TimeSpan.FromSeconds(30));
        Assert.Equal(1, store.Count);
        store.Sweep(DateTime.UtcNow + TimeSpan.FromMinutes(2));
        Assert.Equal(0, store.Count);

        // A later step of the same run drops the earlier step's graphs; other runs keep theirs.
        store.Keep(Key(step: 3, shard: 0, attempt: 0), Shard(3));
        store.Keep(Key(step: 3, shard: 0, attempt: 0, run: "other"), Shard(3));
        store.Keep(Key(step: 4, shard: 0, attempt: 0), Shard(4));
        Assert.Equal(2, store.Count);
        Assert.Throws<KeyNotFoundException>(() => store.Use(Key(step: 3, shard: 0, attempt: 0), release: false, s => s));
        store.Forget("other");
        Assert.Equal(1, store.Count);

        // A later attempt at the same shard supersedes the earlier one; other shards' attempts stay.
        store.Keep(Key(step: 4, shard: 1, attempt: 1), Shard(4));
        store.Keep(Key(step: 4, shard: 0, attempt: 9), Shard(4));
        Assert.Equal(2, store.Count);
        Assert.Throws<KeyNotFoundException>(() => store.Use(Key(step: 4, shard: 0, attempt: 0), release: false, s => s));
        Assert.Equal(2, store.Use(Key(step: 4, shard: 1, attempt: 1), release: false, s => s.TaskIndices.Count));
    }

    private static ShardKey Key(long step, int shard, int attempt, string run = "r") =>
        new() { RunId = run, Step = step, Shard = shard, Attempt = attempt };

    private static RelationShard Shard(long step)
    {
        var family = new SinusoidTasks();
        var model = new Mlp(1, 5, 4, 1);
        var maml = new Maml(new InnerLoopSettings(1, 0.1), firstOrder: false);
        using var theta = maml.InitializeMetaParameters(model, 1);
        long[] tasks = [0, 1];
        using var batch = family.Sample(1, TaskStream.Train, step, tasks, new EpisodeShape(1, 3, 4));
        return RelationShard.Adapt(maml, model, theta, batch, tasks, new MetaDataSampler(MetaDataStrategy.Hardest, 2), 1, TaskStream.Train, step);
    }
}
