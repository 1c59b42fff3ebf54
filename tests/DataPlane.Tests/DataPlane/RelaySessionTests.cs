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
        var header = new ShardResultHeader { Key = new ShardKey { RunId = "run", Step = 3, Shard = first, Attempt = attempt }, WorkerId = $"w{first}", HasGradient = true, ComputeSeconds = 1 };
        for (int i = 0; i < members; i++)
            header.Members.Add(new ShardResultHeader { Key = new ShardKey { RunId = "run", Step = 3, Shard = first + i, Attempt = attempt } });
        return header;
    }

    [Fact]
    public void OnlyWholeGroupsOfThePlansStepAndAttemptAreAdmitted()
    {
        var session = new RelaySession(Plan());
        Assert.Equal(3, session.Groups); // {4,5} {6,7} {8}
        Assert.True(session.Covers(Group(6, 2).Key));
        Assert.False(session.Covers(Group(6, 2, attempt: 0).Key));
        Assert.False(session.Covers(Group(2, 2).Key));
        Assert.Throws<ArgumentException>(() => session.Admit(Group(5, 2)));
        Assert.Throws<ArgumentException>(() => session.Admit(Group(6, 1)));
        Assert.Equal(1, session.Admit(Group(6, 2)));
        var last = Group(8, 0);
        Assert.Equal(2, session.Admit(last)); // a one-shard group may come single
    }

    [Fact]
    public async Task TheGroupsAreSummedInGroupOrderAndForwardedOnceWithEveryMembersHeader()
    {
        var session = new RelaySession(Plan());
        var forwarded = new List<(ShardResultHeader Header, float[] Sum)>();
        Task<ShardResultAck.Types.Outcome> Forward(ShardResultHeader h, float[] sum)
        {
            forwarded.Add((h, sum));
            return Task.FromResult(ShardResultAck.Types.Outcome.Accepted);
        }
        // Arriving out of order: the sum is still ((g0 + g1) + g2).
        Assert.True(session.Accept(2, Group(8, 1), [1e-8f, 0, 3], Forward));
        Assert.True(session.Accept(0, Group(4, 2), [1, 1e8f, 1], Forward));
        Assert.False(session.Accept(0, Group(4, 2), [9, 9, 9], Forward));
        Assert.Empty(forwarded);
        Assert.True(session.Accept(1, Group(6, 2), [-1, -1e8f, 1], Forward));

        Assert.Equal(ShardResultAck.Types.Outcome.Accepted, await session.Verdict);
        var (header, sum) = Assert.Single(forwarded);
        Assert.Equal([(1f + -1f) + 1e-8f, (1e8f + -1e8f) + 0f, (1f + 1f) + 3f], sum);
        Assert.Equal([4, 5, 6, 7, 8], header.Members.Select(m => m.Key.Shard));
        Assert.Equal("w4", header.Members[1].WorkerId);
        Assert.Equal(4, header.Key.Shard);
        Assert.Equal(3, header.ComputeSeconds);
    }

    [Fact]
    public async Task ANewerPlanForTheSameSuperGroupAbandonsTheOldSession()
    {
        var sessions = new RelaySessions();
        var old = sessions.Open(Plan(attempt: 1));
        var fresh = sessions.Open(Plan(attempt: 2));
        Assert.Equal(ShardResultAck.Types.Outcome.Stale, await old.Verdict);
        Assert.Same(fresh, sessions.Find(Group(6, 2, attempt: 2).Key));
        Assert.Null(sessions.Find(Group(6, 2, attempt: 1).Key));
        Assert.False(old.Accept(0, Group(4, 2), [1, 2, 3], (_, _) => throw new InvalidOperationException("an abandoned session forwards nothing")));
    }

    [Fact]
    public async Task ASessionWhoseGroupsDoNotAllArriveInTimeIsAbandoned()
    {
        var sessions = new RelaySessions();
        var plan = Plan();
        plan.TimeoutSeconds = 0.2;
        var session = sessions.Open(plan);
        Assert.True(session.Accept(0, Group(4, 2), [1, 2, 3], (_, _) => throw new InvalidOperationException("an incomplete session forwards nothing")));
        Assert.Equal(ShardResultAck.Types.Outcome.Stale, await session.Verdict.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Null(sessions.Find(Group(6, 2).Key));
    }
}
