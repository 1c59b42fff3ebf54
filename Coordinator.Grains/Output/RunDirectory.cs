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

    /// <summary>Keeps the metrics.jsonl lines of steps up to <paramref name="step"/> (after a resume).</summary>
    public void TruncateMetrics(long step)
    {
        if (!File.Exists(metricsPath)) return;
        var kept = File.ReadAllLines(metricsPath)
            .Where(l => !string.IsNullOrWhiteSpace(l))
            .TakeWhile(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64() <= step)
            .Select(l => l + "\n");
        WriteAtomically("metrics.jsonl", string.Concat(kept));
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

    /// <summary>Writes a file atomically: a reader sees the old file or the new one, never a mix.</summary>
    public void WriteAtomically(string name, string contents)
    {
        string target = System.IO.Path.Combine(Path, name);
        string temp = target + ".tmp";
        File.WriteAllText(temp, contents);
        File.Move(temp, target, overwrite: true);
    }
}
