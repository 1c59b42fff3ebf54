using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using MetaCluster.Testing.Processes;
using MetaCluster.ServiceDefaults.Options;
using static MetaCluster.ServiceDefaults.Options.CheckedOptions;

namespace MetaCluster.Bench.Cli;

/// <summary>The options of <c>bench</c>: which suites, and the settings they share.</summary>
/// <param name="Suites">The suites to run, in order.</param>
/// <param name="Settings">What they share.</param>
/// <param name="RenderDirectory">With <c>--render DIR</c>: only rewrite DIR/bench.md from DIR/bench.json.</param>
public sealed record BenchOptions(IReadOnlyList<IBenchSuite> Suites, BenchSettings Settings, string? RenderDirectory = null)
{
    /// <summary>
    /// The option definitions of <c>bench</c>: the shared ones and every suite's own
    /// (<see cref="IBenchSuite.SuiteOptions"/>), which are accepted only when <c>--suite</c> selects their suite.
    /// </summary>
    public sealed class Definitions
    {
        private readonly Option<string> suite = Text("--suite", $"suites to run, comma-separated ({string.Join(", ", BenchSuiteCatalog.Names)}), or all", "all", "NAME,…|all");
        private readonly Option<string?> output = OptionalText("--out", "results folder", "DIR", "bench-results/<utc time>Z in the checkout");
        private readonly Option<int?> warmup = OptionalInt("--warmup", "unmeasured meta-steps", 1, 1_000_000, describedDefault: "20; 3 with --quick");
        private readonly Option<int?> repeats = OptionalInt("--repeats", "measured repetitions", 1, 10_000, describedDefault: "5; 3 with --quick");
        private readonly Option<int> threads = Int("--threads", "libtorch intra-op threads", 1, 1, 1024);
        private readonly Option<bool> quick = Switch("--quick", "a few seconds per suite: the smoke test's setting");
        private readonly Option<string?> render = OptionalText("--render", "only rewrite DIR/bench.md from DIR/bench.json (no other option)", "DIR");
        private readonly Dictionary<string, Option<string?>> suiteOptions = BenchSuiteCatalog.All
            .SelectMany(s => s.SuiteOptions.Select(o => (Suite: s.Name, Option: o)))
            .GroupBy(x => x.Option.Name)
            .ToDictionary(g => g.Key, g => OptionalText("--" + g.Key, $"[{string.Join(", ", g.Select(x => x.Suite))}] {g.First().Option.Description}", "VALUE"));

        /// <summary>Adds every option to <paramref name="command"/>.</summary>
        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { suite, output, warmup, repeats, threads, quick, render }.Concat(suiteOptions.Values))
                command.Options.Add(option);
        }

        /// <summary>
        /// Reads and checks the options, including every selected suite's own;
        /// throws <see cref="UsageException"/> naming the first bad one.
        /// </summary>
        public BenchOptions Read(ParseResult result)
        {
            if (result.GetValue(render) is { } folder)
            {
                if (result.CommandResult.Children.OfType<OptionResult>().Any(o => !o.Implicit && o.Option != render))
                    throw new UsageException("--render DIR takes no other option");
                if (!File.Exists(Path.Combine(folder, "bench.json"))) throw new UsageException($"--render: no bench.json in '{folder}'");
                return new BenchOptions([], new BenchSettings(1, 1, 1, false, Path.GetFullPath(folder), new Dictionary<string, string>()), Path.GetFullPath(folder));
            }
            var names = result.GetValue(suite)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (names.Length == 0) throw new UsageException($"--suite needs one of {string.Join(", ", BenchSuiteCatalog.Names)} or all");
            var suites = names.Contains("all")
                ? BenchSuiteCatalog.All
                : names.Distinct().Select(n => BenchSuiteCatalog.Find(n)
                    ?? throw new UsageException($"--suite: unknown suite '{n}' (available: {string.Join(", ", BenchSuiteCatalog.Names)}, all)")).ToArray();

            var given = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, option) in suiteOptions)
            {
                if (result.GetValue(option) is not { } value) continue;
                if (!suites.Any(s => s.SuiteOptions.Any(x => x.Name == name)))
                    throw new UsageException($"--{name} is an option of suite {string.Join(", ", BenchSuiteCatalog.All.Where(s => s.SuiteOptions.Any(x => x.Name == name)).Select(s => s.Name))}, which --suite does not select");
                given[name] = value;
            }

            bool isQuick = result.GetValue(quick);
            // By default beside the checkout's other outputs (dotnet run starts a web project in its own folder).
            string outDir = result.GetValue(output) ?? Path.Combine(RepositoryLayout.FindRoot() ?? Environment.CurrentDirectory,
                "bench-results", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "Z");
            if (string.IsNullOrWhiteSpace(outDir)) throw new UsageException("--out must name a directory");
            var settings = new BenchSettings(
                result.GetValue(warmup) ?? (isQuick ? 3 : 20),
                result.GetValue(repeats) ?? (isQuick ? 3 : 5),
                result.GetValue(threads),
                isQuick,
                Path.GetFullPath(outDir),
                given);
            foreach (var selected in suites) selected.Validate(settings);
            return new BenchOptions(suites, settings);
        }
    }
}
