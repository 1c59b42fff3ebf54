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

/// <summary>How a step's collector takes pre-reduced groups: whole units, exactly once, under the assigned attempt.</summary>
public sealed class GroupCollectorTests
{
    private static ShardResultHeader Group(int firstShard, int members, int attempt, long step = 1)
    {
        var header = new ShardResultHeader { Key = Key(firstShard, attempt, step), WorkerId = "w", HasGradient = true };
        for (int i = 0; i < members; i++)
        {
            var member = new ShardResultHeader { Key = Key(firstShard + i, attempt, step) };
            member.TaskIndices.Add(firstShard + i);
            member.TaskLosses.Add(0.5 + i);
            header.Members.Add(member);
        }
        return header;
    }

    private static ShardKey Key(int shard, int attempt, long step = 1) => new() { RunId = "run", Step = step, Shard = shard, Attempt = attempt };

    [Fact]
    public void AResultMustCoverExactlyOneUnitOfTheStepsGroups()
    {
        var collector = new StepCollector("run", 1, shards: 5, gradientElements: 4, groupSize: 2);
        Assert.Equal(3, collector.Units);
        Assert.Equal(new Range(4, 5), collector.ShardsOf(2));

        var single = Assert.Throws<ArgumentException>(() => collector.Admit(Key(0, 0)));
        Assert.Contains("groups of 2", single.Message);
        Assert.Throws<ArgumentException>(() => collector.Admit(Key(1, 0), members: 2));
        Assert.Throws<ArgumentException>(() => collector.Admit(Key(2, 0), members: 3));
        // A result from another step is stale before its shape is looked at.
        Assert.Equal(ShardResultAck.Types.Outcome.Stale, collector.Admit(Key(1, 0, step: 0), members: 2));
    }

    [Fact]
    public void AGroupIsAcceptedOnlyUnderEveryMembersAssignedAttemptAndOnlyOnce()
    {
        var collector = new StepCollector("run", 1, shards: 5, gradientElements: 4, groupSize: 2);
        for (int s = 0; s < 5; s++) collector.Assign(s, attempt: 3);
        collector.Assign(3, attempt: 4);
        Assert.Equal(ShardResultAck.Types.Outcome.Stale, collector.Admit(Key(2, 3), members: 2));
        Assert.Equal(ShardResultAck.Types.Outcome.Accepted, collector.Admit(Key(0, 3), members: 2));
        // The last unit has one shard: its result may come single.
        Assert.Equal(ShardResultAck.Types.Outcome.Accepted, collector.Admit(Key(4, 3)));

        var group = Group(0, 2, attempt: 3);
        group.GradientSaturated = 7;
        Assert.True(collector.Accept(group));
        Assert.True(collector.IsAccepted(0) && collector.IsAccepted(1) && !collector.IsAccepted(2));
        Assert.Equal(ShardResultAck.Types.Outcome.Duplicate, collector.Admit(Key(0, 3), members: 2));
        Assert.False(collector.Accept(Group(0, 2, attempt: 3)));

        Assert.True(collector.Accept(Group(2, 2, attempt: 4)));
        Assert.True(collector.Accept(Group(4, 1, attempt: 3)));
        var headers = collector.Headers;
        Assert.Equal([0, 1, 2, 3, 4], headers.Select(h => h.Key.Shard));
        Assert.Equal([0L], headers[0].TaskIndices);
        Assert.Equal("w", headers[1].WorkerId);
        // The group's saturated elements are counted once, with its first member.
        Assert.Equal(7, headers.Sum(h => h.GradientSaturated));
    }

    [Fact]
    public async Task AGroupWhoseMemberKeysDoNotFollowOnIsRejectedWithInvalidArgument()
    {
        const string url = "http://127.0.0.1:1";
        var parameters = new ParameterStore();
        var inbox = new ShardResultInbox();
        var service = new DataPlaneService(parameters, inbox, new UpstreamGradientStore(), new DataPlaneMetrics());
        var channels = new DataPlaneChannels(Microsoft.Extensions.Options.Options.Create(new WorkerOptions()), local: new InProcessDataPlane(() => url, () => new InProcessDataPlaneInvoker(service)));
        var sender = new ShardResultSender(channels);
        var collector = inbox.Open("run", step: 1, shards: 4, gradientElements: 4, groupSize: 2);
        for (int s = 0; s < 4; s++) collector.Assign(s, attempt: 0);
        var gradient = GradientCodec.Encode(new float[4], DType.Float32, out _);

        var skewed = Group(0, 2, attempt: 0);
        skewed.Members[1].Key.Shard = 2;
        var invalid = await Assert.ThrowsAsync<RpcException>(() => sender.SendAsync(url, skewed, gradient, CancellationToken.None));
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("header.members[1].key", invalid.Status.Detail);

        var single = new ShardResultHeader { Key = Key(2, 0), WorkerId = "w", HasGradient = true };
        single.TaskIndices.Add(2);
        single.TaskLosses.Add(0.1);
        invalid = await Assert.ThrowsAsync<RpcException>(() => sender.SendAsync(url, single, gradient, CancellationToken.None));
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);

        // The step is untouched and still takes its groups.
        var ack = await sender.SendAsync(url, Group(2, 2, attempt: 0), gradient, CancellationToken.None);
        Assert.Equal(ShardResultAck.Types.Outcome.Accepted, ack.Outcome);
        Assert.True(collector.IsAccepted(3));
    }
}
