using System.Globalization;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;

namespace MetaCluster.Bench.Capacity;

/// <summary>
/// One point of the capacity grid: P gradient elements from each of W simulated workers, sent as
/// <see cref="WireType"/>, with <see cref="WorkersPerProcess"/> workers sharing each parameter fetch
/// and <see cref="ReduceGroup"/> workers pre-reducing their gradients into one result, whose groups
/// meet <see cref="ReduceTree"/> at a time at a relay, which (<see cref="Replay"/>) replays the
/// coordinator's Adam update rather than fetching θ when its result is the whole step's.
/// </summary>
public sealed record CapacityPoint(int Elements, int Workers, DType WireType, int WorkersPerProcess = 1, int ReduceGroup = 1, int ReduceTree = 1, bool Replay = true)
{
    /// <summary>Whether the relay replays the update: a tree with one relay for the whole step, and <see cref="Replay"/>.</summary>
    public bool ReplaysUpdate => Replay && ReduceTree > 1 && Results == 1;

    /// <summary>Workers behind each result the coordinator receives: a group, or a relay's super-group.</summary>
    public int WorkersPerResult => ReduceGroup * ReduceTree;

    /// <summary>Gradients the coordinator receives per step: one per group, or per relay.</summary>
    public int Results => (Workers + WorkersPerResult - 1) / WorkersPerResult;

    /// <summary>Workers per parameter fetch at the coordinator: with a relay, one fetch per relay.</summary>
    public int WorkersPerFetch => ReduceTree > 1 ? WorkersPerResult : WorkersPerProcess;

    /// <summary>Float32 bytes of one worker's gradient (what the coordinator folds, whatever the wire type).</summary>
    public long GradientBytes => (long)Elements * sizeof(float);

    /// <summary>The figure's configuration.</summary>
    public IReadOnlyDictionary<string, string> Configuration => new Dictionary<string, string>
    {
        ["params"] = FormatCount(Elements),
        ["workers"] = Workers.ToString(CultureInfo.InvariantCulture),
        ["grad_dtype"] = GradientCodec.Name(WireType),
        ["workers_per_process"] = WorkersPerProcess.ToString(CultureInfo.InvariantCulture),
        ["reduce_group"] = ReduceGroup.ToString(CultureInfo.InvariantCulture),
        ["reduce_tree"] = ReduceTree.ToString(CultureInfo.InvariantCulture),
        ["replay"] = ReplaysUpdate ? "true" : "false",
    };

    /// <summary>10k, 1M, 100M, … as the grid options spell them.</summary>
    public static string FormatCount(long n) =>
        n % 1_000_000 == 0 ? $"{n / 1_000_000}M" : n % 1_000 == 0 ? $"{n / 1_000}k" : n.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads 10k, 1M, 100M or a plain number.</summary>
    public static int ParseCount(string text)
    {
        text = text.Trim();
        long scale = text.EndsWith('M') ? 1_000_000 : text.EndsWith('k') ? 1_000 : 1;
        string digits = scale == 1 ? text : text[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value <= 0 || value * scale > int.MaxValue / sizeof(float))
            throw new ArgumentException($"'{text}' is not a positive count such as 10k or 1M (at most {int.MaxValue / sizeof(float)})");
        return (int)(value * scale);
    }
}
