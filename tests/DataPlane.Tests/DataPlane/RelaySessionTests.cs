using MetaCluster.DataPlane.Reduction;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.TaskWorker.Relay;

namespace MetaCluster.Tests.DataPlane;

/// <summary>A worker process's relay session: whole groups of its plan, once each, summed in group order, forwarded once.</summary>
public sealed class RelaySessionTests
{
    private static RelayPlan Plan(int first = 4, int end = 9, int groupSize = 2, int attempt = 1) => new()
    {
        Key = new ShardKey { RunId = "run", Step = 3, Shard = first, Attempt = attempt },
        EndShard = end, GroupSize = groupSize, Elements = 3, UpstreamUrl = "http://127.0.0.1:1",
    };

    private static ShardResultHeader Group(int first, int members, int attempt = 1)
    {
        var header = new ShardResultHeader { Key = new ShardKey { RunId = "run", Step = 3, Shard = first, Attempt = attempt }, WorkerId = $"w{first}", ComputeSeconds = 1, TrainGroup = new() };
        for (int i = 0; i < members; i++)
            header.TrainGroup.Members.Add(new ShardResultHeader { Key = new ShardKey { RunId = "run", Step = 3, Shard = first + i, Attempt = attempt }, Train = new() });
        return header;
    }

    // What the relay's data-plane service does with a group's result: admit, stream the gradient into the sum, accept.
    private static bool Deliver(RelaySession session, ShardResultHeader group, float[] gradient)
    {
        var collector = session.Collector;
        if (collector.Admit(group) != ShardResultAck.Types.Outcome.Accepted) return false;
        using (var sink = collector.Gradient!.Begin(collector.CoveredUnit(group)))
        {
            sink.Add(0, gradient);
            sink.Complete();
        }
        return collector.Accept(group);
    }

    private sealed class RecordingForwarder : IRelayForwarder
    {
        public List<(ShardResultHeader Header, float[] Sum)> Forwarded { get; } = [];

        public Task ForwardAsync(RelayPlan plan, ShardResultHeader result, GradientLease sum)
        {
            Forwarded.Add((result, sum.Detach()));
            return Task.CompletedTask;
        }
    }

    [Fact]
    public void OnlyWholeGroupsOfThePlansStepAndAttemptAreAdmitted()
    {
        var session = new RelaySession(Plan(), new RecordingForwarder().ForwardAsync);
        Assert.Equal(3, session.Collector.Units); // {4,5} {6,7} {8}
        Assert.True(session.Covers(Group(6, 2).Key));
        Assert.False(session.Covers(Group(6, 2, attempt: 0).Key));
        Assert.False(session.Covers(Group(2, 2).Key));
        Assert.Throws<ArgumentException>(() => session.Collector.Admit(Group(5, 2)));
        Assert.Throws<ArgumentException>(() => session.Collector.Admit(Group(6, 1)));
        Assert.Equal(ShardResultAck.Types.Outcome.Accepted, session.Collector.Admit(Group(6, 2)));
        Assert.Equal(ShardResultAck.Types.Outcome.Stale, session.Collector.Admit(Group(6, 2, attempt: 0)));
        Assert.Equal(ShardResultAck.Types.Outcome.Accepted, session.Collector.Admit(Group(8, 1)));
    }

    [Fact]
    public async Task TheGroupsAreSummedInGroupOrderAndForwardedOnceWithEveryMembersHeader()
    {
        var forwarder = new RecordingForwarder();
        var session = new RelaySession(Plan(), forwarder.ForwardAsync);
        // Arriving out of order: the sum is still ((g0 + g1) + g2).
        Assert.True(Deliver(session, Group(8, 1), [1e-8f, 0, 3]));
        Assert.True(Deliver(session, Group(4, 2), [1, 1e8f, 1]));
        Assert.False(Deliver(session, Group(4, 2), [9, 9, 9]));
        Assert.Empty(forwarder.Forwarded);
        Assert.True(Deliver(session, Group(6, 2), [-1, -1e8f, 1]));

        await session.Forwarded.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var (header, sum) = Assert.Single(forwarder.Forwarded);
        Assert.Equal([(1f + -1f) + 1e-8f, (1e8f + -1e8f) + 0f, (1f + 1f) + 3f], sum);
        Assert.Equal([4, 5, 6, 7, 8], header.TrainGroup.Members.Select(m => m.Key.Shard));
        Assert.Equal("w4", header.TrainGroup.Members[1].WorkerId);
        Assert.Equal(4, header.Key.Shard);
        Assert.Equal(3, header.ComputeSeconds);
    }

    [Fact]
    public async Task ANewerPlanForTheSameSuperGroupAbandonsTheOldSession()
    {
        var forwarder = new RecordingForwarder();
        var sessions = new RelaySessions(forwarder);
        var old = sessions.Open(Plan(attempt: 1));
        var fresh = sessions.Open(Plan(attempt: 2));
        await old.Forwarded.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.True(old.IsOver);
        Assert.Same(fresh, sessions.Find(Group(6, 2, attempt: 2).Key));
        Assert.Null(sessions.Find(Group(6, 2, attempt: 1).Key));
        // An abandoned session forwards nothing, even if every group still reached it.
        Deliver(old, Group(4, 2), [1, 2, 3]);
        Deliver(old, Group(6, 2), [1, 2, 3]);
        Deliver(old, Group(8, 1), [1, 2, 3]);
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.Empty(forwarder.Forwarded);
    }

    [Fact]
    public async Task ASessionWhoseGroupsDoNotAllArriveInTimeIsAbandoned()
    {
        var forwarder = new RecordingForwarder();
        var sessions = new RelaySessions(forwarder);
        var plan = Plan();
        plan.TimeoutSeconds = 0.2;
        var session = sessions.Open(plan);
        Assert.True(Deliver(session, Group(4, 2), [1, 2, 3]));
        await session.Forwarded.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Empty(forwarder.Forwarded);
        Assert.Null(sessions.Find(Group(6, 2).Key));
    }
}
