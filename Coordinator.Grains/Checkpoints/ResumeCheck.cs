using System.Text.Json;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Output;

namespace MetaCluster.Coordinator.Checkpoints;

/// <summary>A run that will not start as asked (a resume that does not fit its checkpoints); the message is one line for the user.</summary>
public sealed class RunRefusedException(string message) : Exception(message);

/// <summary>
/// Whether a run may continue from a checkpoint: only with the definition the checkpoint was made
/// under. A changed seed, task, algorithm, shape or learning rate would quietly continue a
/// different run from the old one's parameters and overwrite its run.json, so it is refused.
/// </summary>
public static class ResumeCheck
{
    /// <summary>
    /// Fields (as run.json spells them) that may differ: where the run directory is, the resume flag
    /// itself, how the run is placed and waited for (workers, device, shard timeout), none of which
    /// changes what is computed, and meta_steps: a run extended to more steps continues the same
    /// trajectory (tasks are functions of seed, step and index; a constant or warmed-up outer rate
    /// does not depend on the run's length), so it ends where an uninterrupted run of that length
    /// ends. The cosine schedule does depend on it, so a cosine run keeps its meta_steps
    /// (<see cref="Require"/>).
    /// </summary>
    public static IReadOnlySet<string> MayDiffer { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "output_directory", "resume", "workers", "device", "shard_timeout_seconds", "meta_steps",
    };

    /// <summary>The first field (in run.json's order) where <paramref name="requested"/> differs from <paramref name="checkpointed"/>, with both values; null when none does.</summary>
    public static (string Field, string Checkpointed, string Requested)? FirstDifference(RunDefinition checkpointed, RunDefinition requested)
    {
        var before = JsonSerializer.SerializeToElement(checkpointed, RunJson.Line);
        var after = JsonSerializer.SerializeToElement(requested, RunJson.Line);
        var names = before.EnumerateObject().Select(p => p.Name).Concat(after.EnumerateObject().Select(p => p.Name)).Distinct();
        foreach (var name in names)
        {
            if (MayDiffer.Contains(name)) continue;
            string old = before.TryGetProperty(name, out var a) ? a.GetRawText() : "(absent)";
            string now = after.TryGetProperty(name, out var b) ? b.GetRawText() : "(absent)";
            if (old != now) return (name, old, now);
        }
        return null;
    }

    /// <summary>Throws <see cref="RunRefusedException"/> naming the first differing field when <paramref name="requested"/> may not resume from <paramref name="checkpointPath"/>.</summary>
    public static void Require(RunDefinition checkpointed, RunDefinition requested, string checkpointPath)
    {
        if (checkpointed.LrSchedule == "cosine" && requested.MetaSteps != checkpointed.MetaSteps)
            throw new RunRefusedException(
                $"--resume: meta_steps is {requested.MetaSteps}, but the run in {checkpointPath} was made with meta_steps {checkpointed.MetaSteps} "
                + "and its cosine learning-rate schedule runs over exactly those steps; resume it with meta_steps " + checkpointed.MetaSteps);
        if (FirstDifference(checkpointed, requested) is not { } d) return;
        throw new RunRefusedException(
            $"--resume: {d.Field} is {d.Requested}, but the run in {checkpointPath} was made with {d.Field} {d.Checkpointed}; "
            + "a resumed run keeps its definition (only the output directory, workers, device, shard timeout and meta-steps may change)");
    }

    /// <summary>Throws <see cref="RunRefusedException"/> when the checkpoint is past the end of the requested run.</summary>
    public static void RequireWithin(long checkpointStep, RunDefinition requested, string checkpointPath)
    {
        if (checkpointStep > requested.MetaSteps)
            throw new RunRefusedException($"--resume: meta_steps is {requested.MetaSteps}, but {checkpointPath} is already at step {checkpointStep}");
    }

    /// <summary>
    /// Throws <see cref="RunRefusedException"/> naming the first tensor whose name or shape differs
    /// between the checkpoint and the model this run built (the same options over changed data can
    /// give a model of another shape); a checkpoint without a tensor list is checked by size alone, later.
    /// </summary>
    public static void RequireTensors(IReadOnlyList<TensorEntry>? checkpointed, IReadOnlyList<TensorEntry> requested, string checkpointPath)
    {
        if (checkpointed is null) return;
        static string Show(TensorEntry? t) => t is null ? "(none)" : $"{t.Name} [{string.Join(", ", t.Shape)}]";
        for (int i = 0; i < Math.Max(checkpointed.Count, requested.Count); i++)
        {
            var old = i < checkpointed.Count ? checkpointed[i] : null;
            var now = i < requested.Count ? requested[i] : null;
            if (old is not null && now is not null && old.Name == now.Name && old.Shape.SequenceEqual(now.Shape)) continue;
            throw new RunRefusedException($"--resume: this run's tensor {i} is {Show(now)}, but the run in {checkpointPath} has {Show(old)}");
        }
    }
}
