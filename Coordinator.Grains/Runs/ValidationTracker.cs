using MetaCluster.Abstractions;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// When a run validates, which validation was best, and when to stop early. Lower is better for
/// mse, higher for accuracy; only a strictly better value is an improvement, and a validation where
/// every task diverged (no value) never is. With <c>early_stop</c> P &gt; 0, the run ends after P
/// validations in a row without improvement.
/// </summary>
public sealed class ValidationTracker(RunDefinition run, string metric)
{
    private readonly bool higherIsBetter = metric == "accuracy";

    /// <summary>Whether the run validates at all.</summary>
    public bool Enabled => run.ValEvery > 0;

    /// <summary>The step of the best validation so far; 0 before the first.</summary>
    public long BestStep { get; private set; }

    /// <summary>The best validation value so far; null before the first finite one.</summary>
    public double? BestValue { get; private set; }

    /// <summary>Validations since the best one (0 right after an improvement).</summary>
    public int SinceBest { get; private set; }

    /// <summary>Validations done.</summary>
    public int Count { get; private set; }

    /// <summary>The step the run stopped early at, when it did.</summary>
    public long? StoppedEarlyAt { get; private set; }

    /// <summary>Whether to validate after <paramref name="trainedSteps"/> meta-steps: every <c>val_every</c>, and at the last step.</summary>
    public bool Due(long trainedSteps) => Enabled && (trainedSteps % run.ValEvery == 0 || trainedSteps == run.MetaSteps);

    /// <summary>Records the validation after <paramref name="trainedSteps"/>; returns whether it improved on the best.</summary>
    public bool Record(long trainedSteps, double? value)
    {
        Count++;
        bool improved = value is { } v && (BestValue is not { } best || (higherIsBetter ? v > best : v < best));
        if (improved)
        {
            (BestStep, BestValue, SinceBest) = (trainedSteps, value, 0);
            return true;
        }
        SinceBest++;
        if (run.EarlyStop > 0 && SinceBest >= run.EarlyStop && trainedSteps < run.MetaSteps) StoppedEarlyAt = trainedSteps;
        return false;
    }

    /// <summary>Whether the run ends now: <c>early_stop</c> validations in a row without improvement.</summary>
    public bool ShouldStop => StoppedEarlyAt is not null;
}
