using System.Runtime.InteropServices;
using MetaCluster.Learning.Optimisation;
using MetaCluster.Learning.Parameters;
using static TorchSharp.torch;
using MetaCluster.DataPlane.Replication;

namespace MetaCluster.Tests.Learning;

/// <summary>
/// A relay's replica of the coordinator's Adam (<see cref="AdamReplica"/>): given the gradient sum it
/// forwarded and the coordinator's recipe, it must compute the very bits the coordinator published.
/// </summary>
public sealed class AdamReplicaTests
{
    private const int Elements = 1_003; // not a multiple of any vector width
    private const int Divisor = 12;
    private static readonly AdamSettings Settings = new(0.003);

    private static float[] Values(Random random, double scale) =>
        Enumerable.Range(0, Elements).Select(i => (float)((random.NextDouble() - 0.5) * scale * Math.Pow(10, i % 5 - 2))).ToArray();

    // The coordinator's side: Adam.ApplySum on θ, and the recipe of each update.
    private static (float[] Start, float[][] Sums, float[][] Versions, AdamRecipe[] Recipes) Coordinator(int steps)
    {
        var random = new Random(11);
        var start = Values(random, 2);
        var sums = Enumerable.Range(0, steps).Select(_ => Values(random, 1)).ToArray();
        using var adam = new Adam(Settings.LearningRate);
        using var theta = tensor(start);
        var versions = new float[steps][];
        var recipes = new AdamRecipe[steps];
        for (int t = 0; t < steps; t++)
        {
            adam.ApplySum(theta, sums[t], Divisor);
            versions[t] = theta.data<float>().ToArray();
            recipes[t] = new AdamRecipe(t, t + 1, t, 0, Divisor, OuterUpdate.ForAdam(adam.Settings), adam.Step, ParameterDigest.Of(MemoryMarshal.AsBytes(versions[t].AsSpan())));
        }
        return (start, sums, versions, recipes);
    }

    private static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    [Fact]
    public void ApplySumIsApplyWithTheMeanGradientToTheLastBit()
    {
        var random = new Random(3);
        var start = Values(random, 2);
        using var fused = new Adam(0.01);
        using var separate = new Adam(0.01);
        using var a = tensor(start);
        using var b = tensor(start);
        for (int t = 0; t < 3; t++)
        {
            var sum = Values(random, 1);
            fused.ApplySum(a, sum, Divisor);
            using var mean = tensor(sum.Select(x => x / Divisor).ToArray());
            separate.Apply(b, mean);
        }
        Assert.Equal(b.data<float>().ToArray(), a.data<float>().ToArray());
        Assert.Equal(separate.SecondMoment!.data<float>().ToArray(), fused.SecondMoment!.data<float>().ToArray());

        // The blocks handed out during the pass (the copy workers fetch) are θ to the last bit.
        var published = new float[Elements];
        fused.ApplySum(a, Values(random, 1), Divisor, (offset, block) => block.CopyTo(published.AsSpan(offset)));
        Assert.Equal(a.data<float>().ToArray(), published);
    }

    [Fact]
    public void AnUpdateHashedBlockByBlockGivesTheSameBitsAndTheDigestOfTheWhole()
    {
        const int n = 40_003; // three blocks and a tail
        var random = new Random(9);
        float[] Make() => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var theta = Make(); var sum = Make(); var m = Make(); var v = Make().Select(Math.Abs).ToArray();
        var (theta2, m2, v2) = ((float[])theta.Clone(), (float[])m.Clone(), (float[])v.Clone());
        var copy = new float[n];
        var digest = ParameterDigest.Stream();

        Adam.UpdateInBlocks(theta, sum, 7, m, v, Settings, 3, (offset, block) =>
        {
            block.CopyTo(copy.AsSpan(offset));
            digest.Append(MemoryMarshal.AsBytes(block));
        });
        Adam.Update(theta2, sum, 7, m2, v2, Settings, 3);

        Assert.Equal(theta2, theta);
        Assert.Equal(theta, copy);
        Assert.Equal(v2, v);
        Assert.Equal(ParameterDigest.Of(MemoryMarshal.AsBytes(theta.AsSpan())), digest.GetCurrentHash());
    }

    [Fact]
    public void AReplicaReplaysEveryUpdateToTheCoordinatorsBits()
    {
        var (start, sums, versions, recipes) = Coordinator(steps: 4);
        var replica = new AdamReplica(0, Bytes(start), 0, null, null);
        for (int t = 0; t < 4; t++)
        {
            replica.RecordGradient(t, 0, (float[])sums[t].Clone());
            Assert.Equal(ReplayOutcome.Replayed, replica.TryReplay(recipes[t], out var next));
            Assert.Equal(Bytes(versions[t]), next);
            Assert.Equal(t + 1, replica.Version);
            Assert.Equal(t + 1, replica.OptimizerStep);
        }
        Assert.NotEqual(Bytes(start), replica.Parameters);
    }

    // The coordinator's side with a scheduled, clipped, decayed optimiser: OuterOptimizer.ApplySum
    // and the recipe of each update (what ParameterPublisher sends).
    private static (float[] Start, float[][] Sums, float[][] Versions, AdamRecipe[] Recipes) Coordinator(int steps, OuterOptimizerSettings settings)
    {
        var random = new Random(11);
        var start = Values(random, 2);
        var sums = Enumerable.Range(0, steps).Select(_ => Values(random, 40)).ToArray();
        var optimizer = new OuterOptimizer(settings);
        var theta = (float[])start.Clone();
        var versions = new float[steps][];
        var recipes = new AdamRecipe[steps];
        for (int t = 0; t < steps; t++)
        {
            var update = optimizer.ApplySum(theta, sums[t], Divisor);
            versions[t] = (float[])theta.Clone();
            recipes[t] = new AdamRecipe(t, t + 1, t, 0, Divisor, update, optimizer.Step, ParameterDigest.Of(MemoryMarshal.AsBytes(versions[t].AsSpan())));
        }
        return (start, sums, versions, recipes);
    }

    [Theory]
    [InlineData(OuterOptimizerKind.Adam)]
    [InlineData(OuterOptimizerKind.Sgd)]
    public void AReplicaReplaysScheduledClippedDecayedUpdatesToTheCoordinatorsBitsThroughTheWire(OuterOptimizerKind kind)
    {
        var settings = new OuterOptimizerSettings(kind, 0.05)
        {
            Schedule = new LearningRateSchedule(LearningRateShape.Cosine, WarmupSteps: 2, TotalSteps: 5, MinLearningRate: 0.001),
            ClipGradNorm = 0.5, WeightDecay = 0.1,
        };
        var (start, sums, versions, recipes) = Coordinator(5, settings);
        Assert.Contains(recipes, r => r.Update.GradientScale < 1f); // clipping did bite
        var replica = new AdamReplica(0, Bytes(start), 0, null, null);
        for (int t = 0; t < 5; t++)
        {
            // Through the wire and back, as a relay receives it.
            var update = new Protos.DataPlane.V1.ParameterUpdate { Version = t + 1, OptimizerStep = t + 1, Replicable = true };
            var recipe = AdamReplayWire.ToRecipe(update, AdamReplayWire.ToProto(recipes[t], "run"));
            replica.RecordGradient(t, 0, (float[])sums[t].Clone());
            Assert.Equal(ReplayOutcome.Replayed, replica.TryReplay(recipe, out var next));
            Assert.Equal(Bytes(versions[t]), next);
        }
    }

    [Fact]
    public void AnSgdReplicaStartedWithoutMomentsAfterUpdatesContinuesExactly()
    {
        var settings = new OuterOptimizerSettings(OuterOptimizerKind.Sgd, 1.0) { WeightDecay = 0.01 };
        var (_, sums, versions, recipes) = Coordinator(3, settings);
        // SGD's state is its update count: GetOptimizerState serves no tensors.
        var replica = new AdamReplica(2, Bytes(versions[1]), 2, null, null);
        replica.RecordGradient(2, 0, sums[2]);
        Assert.Equal(ReplayOutcome.Replayed, replica.TryReplay(recipes[2], out var next));
        Assert.Equal(Bytes(versions[2]), next);

        // An Adam recipe cannot be replayed by a replica that holds no moments after updates.
        var adamRecipe = recipes[2] with { BaseVersion = 3, Version = 4, OptimizerStep = 4, GradientStep = 3, Update = recipes[2].Update with { Optimizer = OuterOptimizerKind.Adam } };
        replica.RecordGradient(3, 0, sums[2]);
        Assert.Equal(ReplayOutcome.NotApplicable, replica.TryReplay(adamRecipe, out _));
    }

    [Fact]
    public void AReplicaStartedFromTheCoordinatorsMomentsContinuesExactly()
    {
        var (_, sums, versions, recipes) = Coordinator(steps: 3);
        // The coordinator's state after two updates, as GetOptimizerState would copy it.
        var random = new Random(11);
        var start = Values(random, 2);
        using var adam = new Adam(Settings.LearningRate);
        using var theta = tensor(start);
        adam.ApplySum(theta, sums[0], Divisor);
        adam.ApplySum(theta, sums[1], Divisor);
        var replica = new AdamReplica(2, Bytes(versions[1]), 2, adam.FirstMoment!.data<float>().ToArray(), adam.SecondMoment!.data<float>().ToArray());

        replica.RecordGradient(2, 0, sums[2]);
        Assert.Equal(ReplayOutcome.Replayed, replica.TryReplay(recipes[2], out var next));
        Assert.Equal(Bytes(versions[2]), next);
    }

    [Fact]
    public void AReplayThatDoesNotStartFromWhatTheReplicaHoldsChangesNothing()
    {
        var (start, sums, _, recipes) = Coordinator(steps: 2);
        var replica = new AdamReplica(0, Bytes(start), 0, null, null);

        // No gradient recorded yet; then one of another attempt; then a recipe from another version.
        Assert.Equal(ReplayOutcome.NotApplicable, replica.TryReplay(recipes[0], out _));
        replica.RecordGradient(0, attempt: 1, sums[0]);
        Assert.Equal(ReplayOutcome.NotApplicable, replica.TryReplay(recipes[0], out _));
        replica.RecordGradient(0, 0, sums[0]);
        Assert.Equal(ReplayOutcome.NotApplicable, replica.TryReplay(recipes[1], out _));
        Assert.Equal(0, replica.Version);
        Assert.Equal(Bytes(start), replica.Parameters);

        Assert.Equal(ReplayOutcome.Replayed, replica.TryReplay(recipes[0], out _));
    }

    [Fact]
    public void AGradientThatDiffersFailsTheDigestAndBreaksTheReplica()
    {
        var (start, sums, _, recipes) = Coordinator(steps: 2);
        var replica = new AdamReplica(0, Bytes(start), 0, null, null);
        var off = (float[])sums[0].Clone();
        off[Elements - 1] = off[Elements - 1] > 0 ? -1 : 1; // in the scalar tail, the other sign: Adam's first update depends on little else
        replica.RecordGradient(0, 0, off);

        Assert.Equal(ReplayOutcome.DigestMismatch, replica.TryReplay(recipes[0], out var next));
        Assert.Null(next);
        Assert.True(replica.IsBroken);
        Assert.Equal(0, replica.Version);
        replica.RecordGradient(0, 0, sums[0]);
        Assert.Equal(ReplayOutcome.NotApplicable, replica.TryReplay(recipes[0], out _));
    }
}
