using Google.Protobuf;
using MetaCluster.Learning.Optimisation;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.DataPlane.Replication;

/// <summary>
/// An <see cref="AdamRecipe"/> on the wire (<see cref="AdamReplay"/> inside a
/// <see cref="ParameterUpdate"/>), both ways: the coordinator writes it, a relay reads it. The
/// update's rate, clip factor and weight decay travel as the coordinator used them (double, float32
/// and double), so the replica computes with the same bits.
/// </summary>
public static class AdamReplayWire
{
    /// <summary>The wire form of <paramref name="recipe"/>, a recipe of run <paramref name="runId"/>.</summary>
    public static AdamReplay ToProto(AdamRecipe recipe, string runId)
    {
        var u = recipe.Update;
        var replay = new AdamReplay
        {
            BaseVersion = recipe.BaseVersion,
            GradientKey = new ShardKey { RunId = runId, Step = recipe.GradientStep, Shard = 0, Attempt = recipe.GradientAttempt },
            Divisor = recipe.Divisor,
            LearningRate = u.LearningRate,
            Beta1 = u.Beta1,
            Beta2 = u.Beta2,
            Epsilon = u.Epsilon,
            Digest = ByteString.CopyFrom(recipe.Digest),
            Optimizer = OuterOptimizerSettings.NameOf(u.Optimizer),
            WeightDecay = u.WeightDecay,
        };
        // Bit-compared, not ==: the factor is sent unless it is exactly 1.0f.
        if (BitConverter.SingleToInt32Bits(u.GradientScale) != BitConverter.SingleToInt32Bits(1f)) replay.GradientScale = u.GradientScale;
        return replay;
    }

    /// <summary>
    /// The recipe of <paramref name="update"/>, which carries <paramref name="replay"/>. An optimiser
    /// name this build does not know gives a recipe that applies to nothing (<see cref="AdamReplica.TryReplay"/>
    /// answers NotApplicable), so the relay fetches the version instead.
    /// </summary>
    public static AdamRecipe ToRecipe(ParameterUpdate update, AdamReplay replay)
    {
        bool known = replay.Optimizer is "" or "adam" or "sgd";
        var kind = replay.Optimizer == "sgd" ? OuterOptimizerKind.Sgd : OuterOptimizerKind.Adam;
        var step = new OuterUpdate(kind, replay.LearningRate, replay.HasGradientScale ? replay.GradientScale : 1f, replay.WeightDecay,
            replay.Beta1, replay.Beta2, replay.Epsilon);
        return new(replay.BaseVersion, update.Version, replay.GradientKey?.Step ?? -1, replay.GradientKey?.Attempt ?? -1, known ? replay.Divisor : 0,
            step, update.OptimizerStep, replay.Digest.ToByteArray());
    }
}
