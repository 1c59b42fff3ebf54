using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;

namespace MetaCluster.Bench.Simulated;

/// <summary>
/// What the load process simulates: W workers of one run, each sending P-element gradients as
/// <see cref="WireType"/>; every <see cref="FetchEvery"/>-th worker fetches the parameters (the
/// others stand for workers of the same process, which share its fetch; 0: none fetches). With
/// <see cref="ReduceGroup"/> k &gt; 1 each k consecutive workers pre-reduce: the group's first sums
/// the k gradients (as a worker process sums its group's shards) and sends one result for them.
/// With <see cref="Replay"/> the fetching worker is a relay whose result is the whole step: it keeps
/// a replica of θ and Adam and replays each update the coordinator describes instead of fetching θ.
/// </summary>
public sealed record LoadArguments(string Url, string RunId, int Workers, int Elements, DType WireType, int FetchEvery, int ReduceGroup = 1, bool Replay = false)
{
    /// <summary>Reads <c>--name value</c> pairs; throws <see cref="ArgumentException"/> naming a missing or bad one.</summary>
    public static LoadArguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"expected --name value, got '{args[i]}'");
            values[args[i][2..]] = args[i + 1];
        }
        string Required(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");
        int workers = int.Parse(Required("workers"), System.Globalization.CultureInfo.InvariantCulture);
        int elements = int.Parse(Required("elements"), System.Globalization.CultureInfo.InvariantCulture);
        int fetchEvery = int.Parse(values.GetValueOrDefault("fetch-every", "1"), System.Globalization.CultureInfo.InvariantCulture);
        int reduceGroup = int.Parse(values.GetValueOrDefault("reduce-group", "1"), System.Globalization.CultureInfo.InvariantCulture);
        if (workers < 1 || elements < 1 || fetchEvery < 0 || reduceGroup < 1) throw new ArgumentException("--workers, --elements and --reduce-group must be positive, --fetch-every not negative");
        if (!bool.TryParse(values.GetValueOrDefault("replay", "false"), out bool replay)) throw new ArgumentException("--replay must be true or false");
        return new LoadArguments(
            Required("url"), Required("run"), workers, elements,
            GradientCodec.Parse(values.GetValueOrDefault("dtype", "f32")), fetchEvery, reduceGroup, replay);
    }
}
