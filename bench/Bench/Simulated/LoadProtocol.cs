using System.Globalization;

namespace MetaCluster.Bench.Simulated;

/// <summary>
/// One unit of a round for the load process, as a grain call would carry it: step, first shard,
/// members (1 for a <c>train</c> assignment), attempt, whether it is a <c>train_group</c>, the
/// relay its group meets at (null: straight to the coordinator), the worker the round picked and the
/// attempt's secret (hex) its result must carry.
/// </summary>
public sealed record LoadAssignment(long Step, int FirstShard, int Members, int Attempt, bool Group, string? RelayUrl, string WorkerId, string Secret);

/// <summary>
/// A reduction relay's plan for the load process: the super-group of shards
/// [<see cref="FirstShard"/>, <see cref="EndShard"/>) of one attempt of one step, in groups of
/// <see cref="GroupSize"/>, whose result is the whole step's when <see cref="ReplicateUpdate"/>,
/// forwarded with the attempt's <see cref="Secret"/> (hex).
/// </summary>
public sealed record LoadRelayPlan(long Step, int FirstShard, int Attempt, int EndShard, int GroupSize, bool ReplicateUpdate, string Secret)
{
    /// <summary>The relay's address as the round hands it to its groups (it names the session, it is not dialled).</summary>
    public string Url => RelayUrl(Step, FirstShard, Attempt);

    /// <summary>The address of the relay session of (step, first shard, attempt).</summary>
    public static string RelayUrl(long step, int firstShard, int attempt) =>
        string.Create(CultureInfo.InvariantCulture, $"simulated-relay://{step}/{firstShard}/{attempt}");
}

/// <summary>
/// The load process's control messages, one line each on its stdin, in place of the grain calls of
/// a real run; each carries an id its answer repeats, so calls overlap as grain calls do. Requests:
/// <c>run</c> (one assignment; answered once its result's acknowledgement came back),
/// <c>relay</c> (opens a relay session; answered with its URL), <c>forwarded</c> (answered once a
/// relay session has forwarded), <c>report</c> (the process's CPU time and bytes moved so far) and
/// <c>exit</c>. Answers on stdout: <c>ready</c> once, then <c>ok id …</c> or <c>error id message</c>.
/// </summary>
public static class LoadProtocol
{
    /// <summary>The process's first line.</summary>
    public const string Ready = "ready";

    /// <summary>Ends the process.</summary>
    public const string Exit = "exit";

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Asks for <paramref name="a"/> to be run.</summary>
    public static string Run(long id, LoadAssignment a) =>
        string.Create(C, $"run {id} {a.Step} {a.FirstShard} {a.Members} {a.Attempt} {(a.Group ? "train_group" : "train")} {a.RelayUrl ?? "-"} {a.WorkerId} {a.Secret}");

    /// <summary>Asks for the relay session of <paramref name="plan"/> to be opened.</summary>
    public static string OpenRelay(long id, LoadRelayPlan plan) =>
        string.Create(C, $"relay {id} {plan.Step} {plan.FirstShard} {plan.Attempt} {plan.EndShard} {plan.GroupSize} {(plan.ReplicateUpdate ? "true" : "false")} {plan.Secret}");

    /// <summary>Asks to be answered once the relay session at <paramref name="relayUrl"/> has forwarded.</summary>
    public static string AwaitRelay(long id, string relayUrl) => string.Create(C, $"forwarded {id} {relayUrl}");

    /// <summary>Asks for the process's CPU time and byte counts.</summary>
    public static string Report(long id) => string.Create(C, $"report {id}");

    /// <summary>A successful answer with <paramref name="fields"/>.</summary>
    public static string Ok(long id, string fields = "") => fields.Length == 0 ? string.Create(C, $"ok {id}") : string.Create(C, $"ok {id} {fields}");

    /// <summary>A failed answer (the message on one line).</summary>
    public static string Error(long id, string message) => string.Create(C, $"error {id} {message.ReplaceLineEndings(" ")}");

    /// <summary>A line's verb, id and remaining fields; throws <see cref="FormatException"/> for a line without an id.</summary>
    public static (string Verb, long Id, string[] Fields) Parse(string line)
    {
        var parts = line.Split(' ', 3);
        if (parts.Length < 2 || !long.TryParse(parts[1], NumberStyles.None, C, out long id)) throw new FormatException($"not a load-process message: '{line}'");
        return (parts[0], id, parts.Length == 3 ? parts[2].Split(' ') : []);
    }

    /// <summary>The assignment in the fields of a <c>run</c> request.</summary>
    public static LoadAssignment ParseAssignment(string[] f)
    {
        if (f.Length != 8 || f[4] is not ("train" or "train_group")) throw new FormatException($"run takes step, first shard, members, attempt, kind, relay, worker and secret: '{string.Join(' ', f)}'");
        return new LoadAssignment(long.Parse(f[0], C), int.Parse(f[1], C), int.Parse(f[2], C), int.Parse(f[3], C), f[4] == "train_group", f[5] == "-" ? null : f[5], f[6], f[7]);
    }

    /// <summary>The plan in the fields of a <c>relay</c> request.</summary>
    public static LoadRelayPlan ParseRelayPlan(string[] f)
    {
        if (f.Length != 7) throw new FormatException($"relay takes step, first shard, attempt, end shard, group size, replicate and secret: '{string.Join(' ', f)}'");
        return new LoadRelayPlan(long.Parse(f[0], C), int.Parse(f[1], C), int.Parse(f[2], C), int.Parse(f[3], C), int.Parse(f[4], C), bool.Parse(f[5]), f[6]);
    }
}
