using System.Runtime.InteropServices;
using MetaCluster.Learning.Optimisation;

namespace MetaCluster.DataPlane.Replication;

/// <summary>
/// How one published parameter version follows from the one before it: the outer optimiser's
/// update number <see cref="OptimizerStep"/>, <see cref="Update"/> (Adam or SGD, this update's
/// scheduled rate, clip factor and weight decay), with the gradient <c>sum / Divisor</c>, where the
/// sum is the result (step <see cref="GradientStep"/>, attempt <see cref="GradientAttempt"/>) that
/// made the whole step, and <see cref="Digest"/> is the <see cref="ParameterDigest"/> of the version's bytes.
/// </summary>
public sealed record AdamRecipe(long BaseVersion, long Version, long GradientStep, int GradientAttempt, int Divisor,
    OuterUpdate Update, long OptimizerStep, byte[] Digest);

/// <summary>What <see cref="AdamReplica.TryReplay"/> did.</summary>
public enum ReplayOutcome
{
    /// <summary>The next version was computed and matched the recipe's digest.</summary>
    Replayed,

    /// <summary>The replica does not hold what the recipe starts from (version, optimiser step, or the step's gradient): nothing was changed.</summary>
    NotApplicable,

    /// <summary>The computed version did not match the digest: the replica's moments are now unusable.</summary>
    DigestMismatch,
}

/// <summary>
/// A copy of the coordinator's outer optimiser kept by a reduction relay that forwards the whole
/// step's gradient: it holds θ of one version and (Adam) the moments after it, and the gradient it
/// forwarded for the next step, so the next version can be computed here from a small
/// <see cref="AdamRecipe"/> instead of fetched (4 bytes per parameter per step off the
/// coordinator's links). <see cref="OuterUpdate.Apply"/> gives the same bits in any process, for
/// Adam and SGD, whatever the schedule, clipping and decay (the recipe carries the rate and clip
/// factor the coordinator used); the digest proves it for θ every step. An SGD run's replica holds
/// no moments at all. The digest covers θ alone: moments that diverged without changing θ
/// (Adam's first update hardly depends on the gradient's size) are caught at the first update whose
/// θ they change, and no θ that differs from the coordinator's is ever returned. Thread-safe.
/// </summary>
public sealed class AdamReplica
{
    private readonly Lock gate = new();
    private float[]? firstMoment;
    private float[]? secondMoment;
    private (long Step, int Attempt, float[] Sum)? gradient;
    private bool broken;

    /// <summary>
    /// A replica at <paramref name="version"/>, whose float32 bytes are <paramref name="parameters"/>
    /// (held, never written), after <paramref name="optimizerStep"/> updates with the given moments
    /// (null: zero before the first update; after it, none: an SGD run, whose replica cannot replay
    /// an Adam update).
    /// </summary>
    public AdamReplica(long version, byte[] parameters, long optimizerStep, float[]? firstMoment, float[]? secondMoment)
    {
        if (parameters.Length % sizeof(float) != 0) throw new ArgumentException("parameters must be whole float32 values", nameof(parameters));
        int elements = parameters.Length / sizeof(float);
        if ((firstMoment is null) != (secondMoment is null) || (firstMoment is not null && (firstMoment.Length != elements || secondMoment!.Length != elements)))
            throw new ArgumentException("both moments or neither, each with one value per parameter");
        ArgumentOutOfRangeException.ThrowIfNegative(optimizerStep);
        Version = version;
        Parameters = parameters;
        OptimizerStep = optimizerStep;
        this.firstMoment = firstMoment;
        this.secondMoment = secondMoment;
    }

    /// <summary>The version held.</summary>
    public long Version { get; private set; }

    /// <summary>Its float32 bytes.</summary>
    public byte[] Parameters { get; private set; }

    /// <summary>Optimiser updates that led to it.</summary>
    public long OptimizerStep { get; private set; }

    /// <summary>Whether a failed replay has left the moments unusable.</summary>
    public bool IsBroken { get { lock (gate) return broken; } }

    /// <summary>
    /// Records the gradient sum this process forwarded as the result (step, attempt): exactly the
    /// float32 values the coordinator received (after the wire type's rounding). Held until replayed
    /// or replaced by a later record.
    /// </summary>
    public void RecordGradient(long step, int attempt, float[] sum)
    {
        if (sum.Length * sizeof(float) != Parameters.Length) throw new ArgumentException($"the gradient has {sum.Length} elements, the parameters {Parameters.Length / sizeof(float)}", nameof(sum));
        lock (gate) gradient = (step, attempt, sum);
    }

    /// <summary>
    /// Applies <paramref name="recipe"/> if it starts from what this replica holds; on success the
    /// replica moves to the recipe's version and <paramref name="parameters"/> are its new bytes (a
    /// new array: the old version's may still be being served).
    /// </summary>
    public ReplayOutcome TryReplay(AdamRecipe recipe, out byte[]? parameters)
    {
        parameters = null;
        lock (gate)
        {
            // Adam needs the moments after the base version: zero before the first update, else held.
            bool moments = recipe.Update.NeedsMoments;
            if (broken || recipe.BaseVersion != Version || recipe.OptimizerStep != OptimizerStep + 1 || recipe.Divisor < 1
                || gradient is not { } g || g.Step != recipe.GradientStep || g.Attempt != recipe.GradientAttempt
                || (moments && OptimizerStep > 0 && firstMoment is null))
                return ReplayOutcome.NotApplicable;
            int elements = Parameters.Length / sizeof(float);
            var next = GC.AllocateUninitializedArray<byte>(Parameters.Length);
            Parameters.CopyTo(next, 0);
            if (moments)
            {
                firstMoment ??= new float[elements];
                secondMoment ??= new float[elements];
            }
            var digest = ParameterDigest.Stream();
            recipe.Update.ApplyInBlocks(MemoryMarshal.Cast<byte, float>(next.AsSpan()), g.Sum, recipe.Divisor, firstMoment, secondMoment, recipe.OptimizerStep,
                (_, block) => digest.Append(MemoryMarshal.AsBytes(block)));
            gradient = null;
            if (!digest.GetCurrentHash().AsSpan().SequenceEqual(recipe.Digest))
            {
                broken = true;
                return ReplayOutcome.DigestMismatch;
            }
            Version = recipe.Version;
            OptimizerStep = recipe.OptimizerStep;
            Parameters = next;
            parameters = next;
            return ReplayOutcome.Replayed;
        }
    }
}
