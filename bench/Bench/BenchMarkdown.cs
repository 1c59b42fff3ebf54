using System.Globalization;
using System.Text;

namespace MetaCluster.Bench;

/// <summary>
/// <c>bench.md</c>: the machine, then one table per suite. A row is a figure: its name, the
/// configuration that sets it apart from the suite's other rows (what all rows share is stated
/// once above the table), the median, the repetitions (count and range), the figure's extra
/// values as columns, and numbered notes under the table.
/// </summary>
public static class BenchMarkdown
{
    // Readable headings for the extra values the built-in suites report; other keys are shown as they are.
    private static readonly Dictionary<string, string> Headings = new(StringComparer.Ordinal)
    {
        ["pytorch_loop"] = "PyTorch loop",
        ["pytorch_batched"] = "PyTorch batched",
        ["pytorch_loop_channels_last"] = "PyTorch loop, channels-last",
        ["csharp_over_faster_pytorch"] = "C# ÷ fastest PyTorch",
        ["speedup"] = "speed-up vs 1 worker",
        ["parallel_efficiency"] = "parallel efficiency",
        ["efficiency_bound"] = "efficiency bound (cores)",
        ["load_1m"] = "load avg (1 min)",
    };

    /// <summary>The Markdown text of <paramref name="document"/>.</summary>
    public static string Write(BenchDocument document)
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        var m = document.Machine;
        md.AppendLine("# Benchmark results").AppendLine();
        md.AppendLine(c, $"`{document.Command}`, {document.StartedUtc:yyyy-MM-dd HH:mm} to {document.FinishedUtc:HH:mm} UTC.").AppendLine();
        md.AppendLine(c, $"Machine: {m.Cores} cores, {m.CpuModel}; {m.Os}; {m.DotNet}; TorchSharp {m.TorchSharp}, libtorch threads {m.LibtorchThreads}.");
        md.AppendLine(c, $"Load average (1/5/15 min): {Load(m.LoadAverageBefore)} before, {Load(m.LoadAverageAfter)} after.");
        if (m.GitCommit is not null) md.AppendLine(c, $"Commit {m.GitCommit[..Math.Min(12, m.GitCommit.Length)]}{(m.GitDirty == true ? " with uncommitted changes" : "")}.");
        var s = document.Settings;
        md.AppendLine(c, $"Each figure: the median of its repetitions after warm-up (--warmup {s.Warmup} steps, --repeats {s.Repetitions}, --threads {s.Threads}{(s.Quick ? ", --quick" : "")}).");

        foreach (var suite in document.Suites)
        {
            md.AppendLine().AppendLine(c, $"## {suite.Name}").AppendLine().AppendLine(suite.Description + ".");
            var figures = document.Figures.Where(f => f.Suite == suite.Name).ToList();
            if (figures.Count > 0) Table(md, figures);
            foreach (var error in document.Errors.Where(e => e.Suite == suite.Name))
                md.AppendLine().AppendLine(c, $"**Failed:** {error.Message.Split('\n')[0]}");
        }
        return md.ToString();
    }

    private static void Table(StringBuilder md, List<BenchFigure> figures)
    {
        var c = CultureInfo.InvariantCulture;
        var keys = figures.SelectMany(f => f.Configuration.Keys).Distinct().ToList();
        var common = figures.Count > 1 ? keys.Where(k => SameIn(figures, k)).ToList() : [];
        // Keys that differ between names but not between the rows of one name (a configuration's
        // model or episode) are listed once per name under "Configurations" instead of on every row.
        var groups = figures.GroupBy(f => f.Name).ToList();
        var perName = groups.Count > 1 && groups.Any(g => g.Count() > 1)
            ? keys.Except(common).Where(k => groups.All(g => SameIn(g.ToList(), k))).ToList()
            : [];
        var varying = keys.Except(common).Except(perName).ToList();
        if (common.Count > 0)
            md.AppendLine().AppendLine("Common to all rows: " + string.Join("; ", common.Select(k => $"{k} {figures[0].Configuration[k]}")) + ".");
        if (perName.Count > 0)
        {
            md.AppendLine().AppendLine("Configurations:");
            foreach (var g in groups)
                md.AppendLine($"- {g.Key}: " + string.Join("; ", perName.Where(g.First().Configuration.ContainsKey).Select(k => $"{k} {g.First().Configuration[k]}")));
        }

        // Known extras in the order of Headings (a row without one shows "–"), then any others as met.
        var known = Headings.Keys.ToList();
        var extras = figures.SelectMany(f => f.Extra?.Keys ?? []).Distinct()
            .OrderBy(k => known.IndexOf(k) is int i and >= 0 ? i : int.MaxValue).ToList();
        var units = figures.Select(f => f.Unit).Distinct().ToList();
        var notes = figures.Select(f => f.Note).OfType<string>().Distinct().ToList();
        var header = new List<string> { "figure", "configuration", units.Count == 1 ? $"median ({units[0]})" : "median", "repetitions (range)" };
        header.AddRange(extras.Select(k => Headings.GetValueOrDefault(k, k)));
        if (notes.Count > 0) header.Add("notes");
        md.AppendLine().AppendLine("| " + string.Join(" | ", header) + " |");
        md.AppendLine("|" + string.Join("|", header.Select((_, i) => i is 0 or 1 || (notes.Count > 0 && i == header.Count - 1) ? " --- " : " ---: ")) + "|");
        foreach (var f in figures)
        {
            var row = new List<string>
            {
                f.Name,
                string.Join("; ", varying.Where(f.Configuration.ContainsKey).Select(k => $"{k} {f.Configuration[k]}")),
                units.Count == 1 ? Number(f.Median) : $"{Number(f.Median)} {f.Unit}",
                f.Repetitions.Count == 0 ? "–" : $"{f.Repetitions.Count} ({Number(f.Repetitions.Min())}–{Number(f.Repetitions.Max())})",
            };
            row.AddRange(extras.Select(k => f.Extra is not null && f.Extra.TryGetValue(k, out double v) ? Number(v) : "–"));
            if (notes.Count > 0) row.Add(f.Note is null ? "" : $"[{notes.IndexOf(f.Note) + 1}]");
            md.AppendLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
        }
        if (notes.Count > 0)
        {
            md.AppendLine();
            for (int i = 0; i < notes.Count; i++) md.AppendLine(c, $"{i + 1}. {notes[i]}");
        }
    }

    private static bool SameIn(List<BenchFigure> figures, string key) =>
        figures.All(f => f.Configuration.TryGetValue(key, out var v) && v == figures[0].Configuration.GetValueOrDefault(key));

    /// <summary>A figure with as many digits as its size warrants: 1234, 123.4, 12.34, 1.234, 0.1234.</summary>
    public static string Number(double value)
    {
        if (!double.IsFinite(value)) return "–";
        double size = Math.Abs(value);
        string format = size >= 1000 ? "0" : size >= 100 ? "0.0" : size >= 10 ? "0.00" : "0.000";
        return value.ToString(format, CultureInfo.InvariantCulture);
    }

    private static string Load(double[] load) =>
        load.Length == 0 ? "unknown" : string.Join(" / ", load.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)));

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
