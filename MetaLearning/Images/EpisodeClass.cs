namespace MetaCluster.Learning.Images;

/// <summary>A class as episodes see it: a stored class, turned by a multiple of 90° when rotation augmentation makes it a new class.</summary>
public sealed record EpisodeClass(ImageClass Source, int QuarterTurns)
{
    /// <summary>"group/class" with a "/rot090"-style suffix for rotated classes.</summary>
    public string Key => QuarterTurns == 0 ? Source.Key : $"{Source.Key}/rot{QuarterTurns * 90:000}";
}
