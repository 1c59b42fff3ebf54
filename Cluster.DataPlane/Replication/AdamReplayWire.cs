using Google.Protobuf;
using MetaCluster.Learning.Optimisation;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.DataPlane.Replication;

/// <summary>
/// An <see cref="AdamRecipe"/> on the wire (<see cref="AdamReplay"/> inside a
/// <see cref="ParameterUpdate"/>), both ways: the coordinator writes it, a relay reads it.
/// </summary>
public static class AdamReplayWire
{
    /// <summary>The wire form of <paramref name="recipe"/>, a recipe of run <paramref name="runId"/>.</summary>
    public static AdamReplay ToProto(AdamRecipe recipe, string runId) => new()
    {
        BaseVersion = recipe.BaseVersion,
        GradientKey = new ShardKey { RunId = runId, Step = recipe.GradientStep, Shard = 0, Attempt = recipe.GradientAttempt },
        Divisor = recipe.Divisor,
        LearningRate = recipe.Settings.LearningRate,
        Beta1 = recipe.Settings.Beta1,
        Beta2 = recipe.Settings.Beta2,
        Epsilon = recipe.Settings.Epsilon,
        Digest = ByteString.CopyFrom(recipe.Digest),
    };

    /// <summary>The recipe of <paramref name="update"/>, which carries <paramref name="replay"/>.</summary>
    public static AdamRecipe ToRecipe(ParameterUpdate update, AdamReplay replay) =>
        new(replay.BaseVersion, update.Version, replay.GradientKey?.Step ?? -1, replay.GradientKey?.Attempt ?? -1, replay.Divisor,
            new AdamSettings(replay.LearningRate, replay.Beta1, replay.Beta2, replay.Epsilon), update.OptimizerStep, replay.Digest.ToByteArray());
}
