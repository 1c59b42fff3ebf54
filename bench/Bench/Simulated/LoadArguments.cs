using System.Globalization;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Bench.Simulated;

/// <summary>
/// What the load process simulates: W workers of one run, one per shard, each sending P-element
/// gradients as <see cref="WireType"/>; of the shards an assignment covers, every
/// <see cref="FetchEvery"/>-th fetches the parameters (the others stand for workers of the same
/// process, which share its fetch; 0: none fetches). A group meeting at a relay fetches nothing: its
/// relay gets θ once for the super-group, and with <see cref="Replay"/> a relay whose result is the
/// whole step keeps a replica of θ and Adam and replays each update the coordinator describes
/// instead of fetching θ. <see cref="FailOnce"/> (step and first shard), for tests: the first
/// assignment of that unit fails without sending anything, as a worker that died would.
/// </summary>
public sealed record LoadArguments(string Url, string RunId, int Workers, int Elements, DType WireType, int FetchEvery, bool Replay = false, (long Step, int Shard)? FailOnce = null)
{
    /// <summary>The arguments as <see cref="Parse"/> reads them.</summary>
    public IReadOnlyList<string> ToArgs()
    {
        var c = CultureInfo.InvariantCulture;
        List<string> args =
        [
            "--url", Url, "--run", RunId, "--workers", Workers.ToString(c), "--elements", Elements.ToString(c),
            "--dtype", GradientCodec.Name(WireType), "--fetch-every", FetchEvery.ToString(c), "--replay", Replay ? "true" : "false",
        ];
        if (FailOnce is { } fail) args.AddRange(["--fail-once", string.Create(c, $"{fail.Step}/{fail.Shard}")]);
        return args;
    }

    /// <summary>Reads <c>--name value</c> pairs; throws <see cref="ArgumentException"/> naming a missing or bad one.</summary>
    public static LoadArguments Parse(string[] args)
    {
        var c = CultureInfo.InvariantCulture;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"expected --name value, got '{args[i]}'");
            values[args[i][2..]] = args[i + 1];
        }
        string Required(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");
        int workers = int.Parse(Required("workers"), c);
        int elements = int.Parse(Required("elements"), c);
        int fetchEvery = int.Parse(values.GetValueOrDefault("fetch-every", "1"), c);
        if (workers < 1 || elements < 1 || fetchEvery < 0) throw new ArgumentException("--workers and --elements must be positive, --fetch-every not negative");
        if (!bool.TryParse(values.GetValueOrDefault("replay", "false"), out bool replay)) throw new ArgumentException("--replay must be true or false");
        (long, int)? failOnce = null;
        if (values.TryGetValue("fail-once", out var fail))
        {
            var parts = fail.Split('/');
            if (parts.Length != 2 || !long.TryParse(parts[0], c, out long step) || !int.TryParse(parts[1], c, out int shard))
                throw new ArgumentException("--fail-once must be step/shard, e.g. 3/0");
            failOnce = (step, shard);
        }
        return new LoadArguments(Required("url"), Required("run"), workers, elements, GradientCodec.Parse(values.GetValueOrDefault("dtype", "f32")), fetchEvery, replay, failOnce);
    }
}
