using MetaCluster.DataPlane.Reduction;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Bench.Simulated;

/// <summary>
/// The load process's simulated workers (one per shard, each with its own connection) and relay
/// sessions. An assignment straight to the coordinator fetches θ on every
/// <see cref="LoadArguments.FetchEvery"/>-th shard it covers, then its first shard's worker sends
/// the result for exactly that assignment: the ready-made gradient as a <c>train</c> result, or a
/// group's summed gradient as a <c>train_group</c> result with one member header per shard. A
/// group meeting at a relay waits for its relay's θ and hands its sum to the relay, which answers
/// it at once and forwards the super-group's result when every group is in.
/// </summary>
public sealed class LoadWorkers : IDisposable
{
    private readonly LoadArguments load;
    private readonly SimulatedWorker[] workers;
    private readonly SimulatedGradient gradient;
    private readonly SimulatedRelayParameters relayParameters;
    private readonly GradientBufferPool buffers = new();
    private readonly Lock gate = new();
    private readonly Dictionary<string, SimulatedRelay> relays = new(StringComparer.Ordinal);
    private int failed;

    /// <summary>Connects the workers of <paramref name="load"/> and builds the gradient they send.</summary>
    public LoadWorkers(LoadArguments load)
    {
        this.load = load;
        workers = Enumerable.Range(0, load.Workers).Select(_ => new SimulatedWorker(load.Url, load.RunId)).ToArray();
        gradient = new SimulatedGradient(load.Elements, load.WireType);
        relayParameters = new SimulatedRelayParameters(load, Totals);
    }

    /// <summary>Bytes moved so far.</summary>
    public LoadTotals Totals { get; } = new();

    /// <summary>Runs <paramref name="a"/>; returns the acknowledgement's outcome and the result's bytes.</summary>
    public async Task<(ShardResultAck.Types.Outcome Outcome, long Bytes)> RunAsync(LoadAssignment a)
    {
        if (a.FirstShard < 0 || a.Members < 1 || a.FirstShard + a.Members > workers.Length || (!a.Group && a.Members != 1))
            throw new ArgumentException($"no such assignment: shards {a.FirstShard}..{a.FirstShard + a.Members - 1} ({(a.Group ? "group" : "train")}) of {workers.Length}");
        if (load.FailOnce == (a.Step, a.FirstShard) && Interlocked.Exchange(ref failed, 1) == 0)
            throw new InvalidOperationException($"simulated failure of step {a.Step} shard {a.FirstShard} attempt {a.Attempt}");
        if (a.RelayUrl is { } url)
        {
            var relay = Relay(url);
            if (relay.Plan.Step != a.Step || relay.Plan.Attempt != a.Attempt) throw new ArgumentException($"step {a.Step} attempt {a.Attempt} does not meet at {url}");
            await relay.Parameters;
            var sum = gradient.SumOf(a.Members, buffers);
            relay.Add(a.FirstShard, sum);
            buffers.Return(sum);
            return (ShardResultAck.Types.Outcome.Accepted, (long)sum.Length * sizeof(float));
        }

        var secret = Convert.FromHexString(a.Secret);
        if (load.FetchEvery > 0)
        {
            var fetches = Enumerable.Range(a.FirstShard, a.Members).Where(s => s % load.FetchEvery == 0)
                .Select(s => workers[s].FetchAsync(a.Step, load.Elements, secret, CancellationToken.None)).ToArray();
            foreach (long bytes in await Task.WhenAll(fetches)) Totals.Fetched(bytes);
        }
        var header = a.Group
            ? SimulatedHeaders.Group(load.RunId, a.Step, a.FirstShard, a.Members, a.Attempt, a.WorkerId)
            : SimulatedHeaders.Train(load.RunId, a.Step, a.FirstShard, a.Attempt, a.WorkerId);
        header.AssignmentSecret = Google.Protobuf.ByteString.CopyFrom(secret);
        var payload = a.Group ? EncodedSum(a.Members) : gradient.Payload;
        var ack = await workers[a.FirstShard].SendAsync(header, payload, load.WireType, CancellationToken.None);
        Totals.Sent(payload.Length);
        return (ack.Outcome, payload.Length + header.CalculateSize());
    }

    private byte[] EncodedSum(int members)
    {
        var sum = gradient.SumOf(members, buffers);
        var encoded = gradient.Encode(sum);
        buffers.Return(sum);
        return encoded;
    }

    /// <summary>Opens the relay session of <paramref name="plan"/> in the process of its first shard's worker, replacing those of earlier steps and attempts; returns its URL.</summary>
    public string OpenRelay(LoadRelayPlan plan)
    {
        if (plan.FirstShard < 0 || plan.EndShard > workers.Length || plan.EndShard <= plan.FirstShard || plan.GroupSize < 1)
            throw new ArgumentException($"no such relay plan: shards {plan.FirstShard}..{plan.EndShard - 1} in groups of {plan.GroupSize}");
        List<SimulatedRelay> replaced;
        lock (gate)
        {
            replaced = relays.Values.Where(r => r.Plan.Step < plan.Step || (r.Plan.Step == plan.Step && r.Plan.FirstShard == plan.FirstShard)).ToList();
            foreach (var old in replaced) relays.Remove(old.Plan.Url);
            relays[plan.Url] = new SimulatedRelay(plan, load.RunId, workers[plan.FirstShard], gradient, relayParameters, buffers, Totals);
        }
        foreach (var old in replaced) old.Abandon();
        return plan.Url;
    }

    /// <summary>Completes once the relay session at <paramref name="url"/> has forwarded; fails if forwarding did.</summary>
    public Task ForwardedAsync(string url) => Relay(url).Forwarded;

    private SimulatedRelay Relay(string url)
    {
        lock (gate) return relays.TryGetValue(url, out var relay) ? relay : throw new InvalidOperationException($"no relay session at {url}");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var w in workers) w.Dispose();
    }
}
