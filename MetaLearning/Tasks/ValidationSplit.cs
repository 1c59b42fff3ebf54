namespace MetaCluster.Learning.Tasks;

/// <summary>
/// Which of a run's ordered training items (image classes in group-then-name order, tabular files
/// in name order) are held out as the validation split, for a fraction F: round(F·n) of them, at
/// least one and never all, at evenly spaced positions (item i is taken when ⌊(i+1)·k/n⌋ &gt; ⌊i·k/n⌋),
/// so the split spreads over every group and does not depend on the seed: runs that differ only in
/// their seed validate on the same classes.
/// </summary>
public static class ValidationSplit
{
    /// <summary>For each of <paramref name="count"/> items, whether it belongs to the validation split of <paramref name="fraction"/>.</summary>
    public static bool[] Pick(int count, double fraction, string items)
    {
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), $"the validation fraction must be between 0 and 1 (exclusive), got {fraction}");
        if (count < 2) throw new ArgumentException($"the meta-training split has {count} {items}: none would be left for a validation split");
        int k = Math.Clamp((int)Math.Round(fraction * count, MidpointRounding.AwayFromZero), 1, count - 1);
        var picked = new bool[count];
        for (int i = 0; i < count; i++) picked[i] = (long)(i + 1) * k / count > (long)i * k / count;
        return picked;
    }
}
