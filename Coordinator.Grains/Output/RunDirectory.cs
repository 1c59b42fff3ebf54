using System.Text.Json;

namespace MetaCluster.Coordinator.Output;

/// <summary>
/// The run directory (<c>--out</c>): metrics.jsonl appended as the run goes, summary.json at the
/// end. Files that must never be seen half-written are written to a temporary name and renamed.
/// </summary>
public sealed class RunDirectory
{
    private readonly string metricsPath;

    /// <summary>Creates (or reuses) the directory.</summary>
    public RunDirectory(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(Path);
        metricsPath = System.IO.Path.Combine(Path, "metrics.jsonl");
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>Starts metrics.jsonl afresh.</summary>
    public void ResetMetrics() => File.WriteAllText(metricsPath, "");

    /// <summary>
    /// Keeps the metrics.jsonl lines of steps up to <paramref name="step"/> (after a resume). A last
    /// line that does not parse and has no newline is what a kill in the middle of an append leaves:
    /// it is dropped, and the returned text names it (null when there was none). Any other
    /// unreadable line is damage: an <see cref="InvalidDataException"/> naming file and line.
    /// </summary>
    public string? TruncateMetrics(long step)
    {
        if (!File.Exists(metricsPath)) return null;
        var lines = ReadLines(metricsPath, out bool lastLineTerminated);
        var kept = new List<string>();
        string? dropped = null;
        for (int i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            long lineStep;
            try
            {
                using var line = JsonDocument.Parse(lines[i]);
                lineStep = line.RootElement.GetProperty("step").GetInt64();
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                bool torn = i == lines.Length - 1 && !lastLineTerminated;
                string where = $"{metricsPath}:{i + 1}";
                if (!torn) throw new InvalidDataException($"{where}: not a metrics line ({e.Message.ReplaceLineEndings(" ")})", e);
                dropped = $"{where}: dropped a torn last line ({lines[i].Length} characters; a kill in the middle of an append leaves one)";
                break;
            }
            if (lineStep > step) break;
            kept.Add(lines[i] + "\n");
        }
        WriteAtomically("metrics.jsonl", string.Concat(kept));
        return dropped;
    }

    /// <summary>The lines of a JSON-lines file, and whether its last line ends in a newline (a torn append's does not).</summary>
    public static string[] ReadLines(string path, out bool lastLineTerminated)
    {
        string text = File.ReadAllText(path);
        lastLineTerminated = text.Length == 0 || text.EndsWith('\n');
        var lines = text.Split('\n');
        // "a\nb\n" splits into a, b and an empty rest, which is no line.
        return lastLineTerminated ? lines[..^1].Select(l => l.TrimEnd('\r')).ToArray() : lines.Select(l => l.TrimEnd('\r')).ToArray();
    }

    /// <summary>The text of metrics.jsonl.</summary>
    public string ReadMetrics() => File.Exists(metricsPath) ? File.ReadAllText(metricsPath) : "";

    /// <summary>The text of a file of the directory, or "" when it does not exist.</summary>
    public string ReadText(string name)
    {
        string path = System.IO.Path.Combine(Path, name);
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    /// <summary>Appends a line to metrics.jsonl.</summary>
    public void AppendMetrics(MetricsLine line) =>
        File.AppendAllText(metricsPath, JsonSerializer.Serialize(line, RunJson.Line) + "\n");

    /// <summary>Writes a JSON document atomically.</summary>
    public void WriteJson<T>(string name, T value) => WriteAtomically(name, JsonSerializer.Serialize(value, RunJson.Indented) + "\n");

    /// <summary>Writes a file atomically: a reader sees the old file or the new one, never a mix (<see cref="AtomicFile"/>).</summary>
    public void WriteAtomically(string name, string contents) => AtomicFile.WriteText(System.IO.Path.Combine(Path, name), contents);
}
