using Grpc.Core;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Services;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;
using MetaCluster.TaskWorker.DataPlane;
using MetaCluster.TaskWorker.Hosting;
using MetaCluster.DataPlane.Reduction;
using MetaCluster.DataPlane.Transport;

namespace MetaCluster.Tests.DataPlane;

/// <summary>How a round's collector takes pre-reduced groups: whole units, exactly once, under the assigned attempt.</summary>
public sealed class GroupCollectorTests
{
    private static ShardResultHeader Group(int firstShard, int members, int attempt, long step = 1)
    {
        var header = new ShardResultHeader { Key = Key(firstShard, attempt, step), WorkerId = "w", TrainGroup = new TrainGroupResult() };
        for (int i = 0; i < members; i++)
        {
            var member = new ShardResultHeader { Key = Key(firstShard + i, attempt, step), Train = new TrainResult() };
            member.TaskIndices.Add(firstShard + i);
            member.Train.TaskLosses.Add(0.5 + i);
            member.Train.TaskMetrics.Add(0.5 + i);
            header.TrainGroup.Members.Add(member);
        }
        return header;
    }

    private static ShardKey Key(int shard, int attempt, long step = 1) => new() { RunId = "run", Step = step, Shard = shard, Attempt = attempt };

    private static UnitCollector Groups(int shards, int groupSize) =>
        new("run", 1, ShardResultHeader.ResultOneofCase.TrainGroup, shards, gradientElements: 4, unitSize: groupSize);

    [Fact]
    public void AResultMustCoverExactlyOneUnitOfTheRoundsGroups()
    {
        var collector = Groups(shards: 5, groupSize: 2);
        Assert.Equal(3, collector.Units);
        Assert.Equal(new Range(4, 5), collector.ShardsOf(2));

        var partial = Assert.Throws<ArgumentException>(() => collector.Admit(Group(0, 1, attempt: 0)));
        Assert.Contains("unit there is 0..1", partial.Message);
        Assert.Throws<ArgumentException>(() => collector.Admit(Group(1, 2, attempt: 0)));
        Assert.Throws<ArgumentException>(() => collector.Admit(Group(2, 3, attempt: 0)));
        // A result from another step, or of another kind of work, is stale before its shape is looked at.
        Assert.Equal(ShardResultAck.Types.Outcome.Stale, collector.Admit(Group(1, 2, attempt: 0, step: 0)));
        var single = new ShardResultHeader { Key = Key(0, 0), Train = new TrainResult() };
        Assert.Equal(ShardResultAck.Types.Outcome.Stale, collector.Admit(single));
    }

    [Fact]
    public void AGroupIsAcceptedOnlyUnderItsAssignedAttemptAndOnlyOnce()
    {
        var collector = Groups(shards: 5, groupSize: 2);
        for (int unit = 0; unit < 3; unit++) collector.Assign(unit, attempt: 3);
        collector.Assign(1, attempt: 4);
        Assert.Equal(ShardResultAck.Types.Outcome.Stale, collector.Admit(Group(2, 2, attempt: 3)));
        Assert.Equal(ShardResultAck.Types.Outcome.Accepted, collector.Admit(Group(0, 2, attempt: 3)));
        // The last unit has one shard: its group has one member.
        Assert.Equal(ShardResultAck.Types.Outcome.Accepted, collector.Admit(Group(4, 1, attempt: 3)));

        var group = Group(0, 2, attempt: 3);
        group.TrainGroup.GradientSaturated = 7;
        Assert.True(collector.Accept(group));
        Assert.True(collector.IsAccepted(0) && !collector.IsAccepted(1) && !collector.IsAccepted(2));
        Assert.Equal(ShardResultAck.Types.Outcome.Duplicate, collector.Admit(Group(0, 2, attempt: 3)));
        Assert.False(collector.Accept(Group(0, 2, attempt: 3)));

        Assert.True(collector.Accept(Group(2, 2, attempt: 4)));
        Assert.True(collector.Accept(Group(4, 1, attempt: 3)));
        Assert.True(collector.WhenAllAccepted.IsCompleted);
        var shards = collector.ShardResults;
        Assert.Equal([0, 1, 2, 3, 4], shards.Select(h => h.Key.Shard));
        Assert.Equal([0L], shards[0].TaskIndices);
        Assert.Equal("w", shards[1].WorkerId);
        // The group's saturated elements belong to its summed gradient: counted once, with the group.
        Assert.Equal(7, collector.UnitResults.Sum(u => u.TrainGroup.GradientSaturated));
    }

    [Fact]
    public async Task AGroupWhoseMemberKeysDoNotFollowOnIsRejectedWithInvalidArgument()
    {
        const string url = "http://127.0.0.1:1";
        var inbox = new ShardResultInbox();
        var service = new DataPlaneService(new ParameterStore(), new AssignmentSecrets(), inbox, new UpstreamGradientStore(), new DataPlaneMetrics());
        var channels = new DataPlaneChannels(Microsoft.Extensions.Options.Options.Create(new WorkerOptions()), local: new InProcessDataPlane(() => url, () => new InProcessDataPlaneInvoker(service)));
        var sender = new ShardResultSender(channels);
        var collector = inbox.Open("run", step: 1, ShardResultHeader.ResultOneofCase.TrainGroup, shards: 4, gradientElements: 4, unitSize: 2);
        for (int unit = 0; unit < 2; unit++) collector.Assign(unit, attempt: 0);
        var gradient = GradientCodec.Encode(new float[4], DType.Float32, out _);

        var skewed = Group(0, 2, attempt: 0);
        skewed.TrainGroup.Members[1].Key.Shard = 2;
        var invalid = await Assert.ThrowsAsync<RpcException>(() => sender.SendAsync(url, skewed, gradient, CancellationToken.None));
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("header.train_group.members[1].key", invalid.Status.Detail);

        var halfGroup = Group(2, 1, attempt: 0);
        invalid = await Assert.ThrowsAsync<RpcException>(() => sender.SendAsync(url, halfGroup, gradient, CancellationToken.None));
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);

        // The step is untouched and still takes its groups.
        var ack = await sender.SendAsync(url, Group(2, 2, attempt: 0), gradient, CancellationToken.None);
        Assert.Equal(ShardResultAck.Types.Outcome.Accepted, ack.Outcome);
        Assert.True(collector.IsAccepted(1) && !collector.IsAccepted(0));
    }
}
