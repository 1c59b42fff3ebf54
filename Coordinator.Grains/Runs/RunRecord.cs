using System.Text.Json;
using MetaCluster.Coordinator.Output;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// What a coordinator keeps about a run beside its definition (run.json), in its directory as
/// run-record.json: who asked for it (the request id that makes StartRun idempotent), its name and
/// tags, when it started, and how it ended when it did not complete (stopped or failed, with the
/// error), so a restarted coordinator neither resumes a stopped run nor fails a failed one again.
/// </summary>
public sealed record RunRecord
{
    /// <summary>The file's name in the run directory.</summary>
    public const string FileName = "run-record.json";

    public string RequestId { get; init; } = "";
    public string Name { get; init; } = "";
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    public DateTime Created { get; init; }

    /// <summary>"stopped" or "failed" once the run ended without completing; null while it may run.</summary>
    public string? Ended { get; init; }
    public string? Error { get; init; }

    /// <summary>The meta-steps applied when it ended, and the last step's loss: what the run reports after a restart.</summary>
    public long Step { get; init; }
    public double? Loss { get; init; }

    /// <summary>Reads the record of a run directory, or null when it has none (or an unreadable one).</summary>
    public static RunRecord? Read(string runDirectory)
    {
        string path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<RunRecord>(File.ReadAllText(path), RunJson.Indented); }
        catch (Exception e) when (e is JsonException or IOException) { return null; }
    }

    /// <summary>Writes it atomically into <paramref name="runDirectory"/>.</summary>
    public void Write(string runDirectory) => new RunDirectory(runDirectory).WriteJson(FileName, this);
}
