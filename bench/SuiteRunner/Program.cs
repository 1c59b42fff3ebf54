using System.Globalization;
using System.Text;
using System.Text.Json;
using MetaCluster.Coordinator.Benchmarks;
using MetaCluster.Coordinator.Benchmarks.Capacity;
using MetaCluster.Coordinator.Benchmarks.Wire;

// Usage: SuiteRunner --suite capacity|wire --out DIR [--quick] [--warmup N] [--repetitions N] [--threads N] [--KEY VALUE]...
// Unknown --KEY VALUE pairs reach the suite as its options (capacity-params 1M, wire-params 10k, …).
var options = new Dictionary<string, string>(StringComparer.Ordinal);
bool quick = false;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--quick") { quick = true; continue; }
    if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length) { Console.Error.WriteLine($"error: expected --name value at '{args[i]}'"); return 2; }
    options[args[i][2..]] = args[++i];
}
IBenchSuite[] suites = [new CapacitySuite(), new WireSuite()];
string name = options.GetValueOrDefault("suite", "");
var suite = suites.FirstOrDefault(s => s.Name == name);
if (suite is null) { Console.Error.WriteLine($"error: --suite must be one of {string.Join(", ", suites.Select(s => s.Name))}"); return 2; }
string outDir = options.GetValueOrDefault("out", Path.Combine("bench-results", $"{DateTime.Now:yyyyMMdd-HHmmss}-{name}"));
Directory.CreateDirectory(outDir);
var c = CultureInfo.InvariantCulture;
var settings = new BenchSettings(
    int.Parse(options.GetValueOrDefault("warmup", "1"), c), int.Parse(options.GetValueOrDefault("repetitions", "3"), c),
    int.Parse(options.GetValueOrDefault("threads", "0"), c), quick, outDir,
    options.Where(kv => kv.Key is not ("suite" or "out" or "warmup" or "repetitions" or "threads")).ToDictionary());

double load = LoadAverage();
var figures = await suite.RunAsync(settings, Console.Out, CancellationToken.None);
var json = new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
await File.WriteAllTextAsync(Path.Combine(outDir, "figures.json"), JsonSerializer.Serialize(new { suite = name, load_average_before = load, load_average_after = LoadAverage(), figures }, json));
var md = new StringBuilder($"# {name}\n\nload average (1 min) before {load:0.00}, after {LoadAverage():0.00}\n\n| figure | configuration | median | unit | extra |\n| --- | --- | --- | --- | --- |\n");
foreach (var f in figures)
    md.Append(c, $"| {f.Name} | {string.Join(" ", f.Configuration.Select(kv => $"{kv.Key}={kv.Value}"))} | {f.Median:0.####} | {f.Unit} | {string.Join(", ", (f.Extra ?? new Dictionary<string, double>()).Select(kv => string.Create(c, $"{kv.Key} {kv.Value:0.###}")))} |\n");
await File.WriteAllTextAsync(Path.Combine(outDir, "figures.md"), md.ToString());
Console.WriteLine($"figures written to {Path.GetFullPath(outDir)}");
return 0;

static double LoadAverage()
{
    try { return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture); }
    catch (IOException) { return double.NaN; }
}
