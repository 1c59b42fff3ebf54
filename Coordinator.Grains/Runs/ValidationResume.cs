using System.Text.Json;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Output;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// The validation state a run starts with. On <c>--resume</c>, the validations of the metrics.jsonl
/// lines the resume kept (steps up to its checkpoint; every validated step has a line) are replayed
/// into the <see cref="ValidationTracker"/>, so the best value and the early-stop count carry on,
/// and checkpoints/best.ckpt is kept when it holds that best. A best.ckpt of any other step (left
/// by an earlier run in the same directory, or from steps the resume cut away and will run again)
/// is deleted with its best.safetensors, so <c>eval --run</c> never scores parameters this run did not choose.
/// </summary>
public static class ValidationResume
{
    /// <summary>Replays <paramref name="output"/>'s kept validations up to <paramref name="firstStep"/> into <paramref name="tracker"/>; returns the best checkpoint to keep, if any.</summary>
    public static Checkpoint? Restore(RunDirectory output, string checkpointsPath, long firstStep, ValidationTracker tracker)
    {
        if (tracker.Enabled && firstStep > 0)
            foreach (var line in output.ReadMetrics().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var root = JsonDocument.Parse(line).RootElement;
                long step = root.GetProperty("step").GetInt64();
                if (step > firstStep || !tracker.Due(step)) continue;
                // A validation where every task diverged has no value: its line has no validation field.
                tracker.Record(step, root.TryGetProperty("validation", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null);
            }
        string path = Path.Combine(checkpointsPath, RunRecorder.BestName);
        if (!File.Exists(path)) return null;
        try
        {
            var best = Checkpoint.Load(path);
            if (tracker.BestValue is not null && best.Step == tracker.BestStep) return best;
        }
        catch (InvalidDataException) { /* a damaged best.ckpt is replaced like a stale one */ }
        File.Delete(path);
        File.Delete(Path.ChangeExtension(path, ".safetensors"));
        return null;
    }
}
