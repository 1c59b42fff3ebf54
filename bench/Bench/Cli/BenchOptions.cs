using System.Globalization;
using MetaCluster.Bench;
using MetaCluster.Testing.Processes;
using MetaCluster.ServiceDefaults.Options;

namespace MetaCluster.Bench.Cli;

/// <summary>The options of <c>bench</c>: which suites, and the settings they share.</summary>
/// <param name="Suites">The suites to run, in order.</param>
/// <param name="Settings">What they share.</param>
/// <param name="RenderDirectory">With <c>--render DIR</c>: only rewrite DIR/bench.md from DIR/bench.json.</param>
public sealed record BenchOptions(IReadOnlyList<IBenchSuite> Suites, BenchSettings Settings, string? RenderDirectory = null)
{
    private static readonly string[] Common = ["suite", "out", "warmup", "repeats", "threads", "render"];

    /// <summary>The options every suite shares, for the usage text.</summary>
    public const string Usage = """
        bench options:
          --suite throughput,scaling|all   --out DIR (default bench-results/<utc time>Z in the checkout)
          --warmup N (meta-steps, default 20)   --repeats N (default 5)   --threads N (default 1)
          --quick (a few seconds per suite: the smoke test's setting)
          --render DIR (only rewrite DIR/bench.md from DIR/bench.json; no other option)
        """;

    /// <summary>
    /// Reads and checks the options, including every selected suite's own (<see cref="IBenchSuite.SuiteOptions"/>);
    /// throws <see cref="UsageException"/> naming the first bad one.
    /// </summary>
    public static BenchOptions Parse(IEnumerable<string> args)
    {
        var suiteOptions = BenchSuiteCatalog.All.SelectMany(s => s.SuiteOptions.Select(o => o.Name)).Distinct().ToArray();
        var o = new OptionReader(args, [.. Common, .. suiteOptions], ["quick"]);
        if (o.OptionalString("render") is { } render)
        {
            if (o.Given.Count() > 1) throw new UsageException("--render DIR takes no other option");
            if (!File.Exists(Path.Combine(render, "bench.json"))) throw new UsageException($"--render: no bench.json in '{render}'");
            return new BenchOptions([], new BenchSettings(1, 1, 1, false, Path.GetFullPath(render), new Dictionary<string, string>()), Path.GetFullPath(render));
        }
        string suiteText = o.String("suite", "all");
        var names = suiteText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0) throw new UsageException($"--suite needs one of {string.Join(", ", BenchSuiteCatalog.Names)} or all");
        var suites = names.Contains("all")
            ? BenchSuiteCatalog.All
            : names.Distinct().Select(n => BenchSuiteCatalog.Find(n)
                ?? throw new UsageException($"--suite: unknown suite '{n}' (available: {string.Join(", ", BenchSuiteCatalog.Names)}, all)")).ToArray();

        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in o.Given.Where(g => suiteOptions.Contains(g.Name)))
        {
            if (!suites.Any(s => s.SuiteOptions.Any(x => x.Name == name)))
                throw new UsageException($"--{name} is an option of suite {string.Join(", ", BenchSuiteCatalog.All.Where(s => s.SuiteOptions.Any(x => x.Name == name)).Select(s => s.Name))}, which --suite does not select");
            given[name] = values[^1];
        }

        bool quick = o.Switch("quick");
        // By default beside the checkout's other outputs (dotnet run starts a web project in its own folder).
        string outDir = o.OptionalString("out") ?? Path.Combine(RepositoryLayout.FindRoot() ?? Environment.CurrentDirectory,
            "bench-results", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "Z");
        if (string.IsNullOrWhiteSpace(outDir)) throw new UsageException("--out must name a directory");
        var settings = new BenchSettings(
            o.Int("warmup", quick ? 3 : 20, 1, 1_000_000),
            o.Int("repeats", quick ? 3 : 5, 1, 10_000),
            o.Int("threads", 1, 1, 1024),
            quick,
            Path.GetFullPath(outDir),
            given);
        foreach (var suite in suites) suite.Validate(settings);
        return new BenchOptions(suites, settings);
    }

    /// <summary>Every suite and its own options, for the usage text.</summary>
    public static string SuiteUsage() => string.Join("\n", BenchSuiteCatalog.All.Select(s =>
        $"  {s.Name,-11} {s.Description}" + string.Concat(s.SuiteOptions.Select(x => $"\n      --{x.Name}  {x.Description}"))));
}
