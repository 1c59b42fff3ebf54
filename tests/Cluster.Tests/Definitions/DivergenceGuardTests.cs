using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Coordinator.Steps;

namespace MetaCluster.Tests.Definitions;

/// <summary>How the coordinator tells a worker's diverged shard from the other deterministic failures.</summary>
public sealed class DivergenceGuardTests
{
    [Fact]
    public void AShardAWorkerRefusedAsDivergedFailsTheRunAsDiverged()
    {
        const string line = "step 7: the outer gradient is not finite (NaN in 3 of 1761 elements)";
        var diverged = DivergenceGuard.Classify(new ShardFailedException(line, new DeterministicWorkException(line)));
        Assert.IsType<TrainingDivergedException>(diverged);
        Assert.Equal(line, diverged.Message);
    }

    [Fact]
    public void OtherFailuresAreLeftAsTheyAre()
    {
        var badData = new ShardFailedException("tasks.csv:2: column 'dose' is not a number", new DeterministicWorkException("tasks.csv:2: column 'dose' is not a number"));
        Assert.Same(badData, DivergenceGuard.Classify(badData));
        // A transient failure that merely mentions a step is not a divergence.
        var transient = new ShardFailedException("shard 0 of step 1 failed 8 times; last error: timeout", new TimeoutException());
        Assert.Same(transient, DivergenceGuard.Classify(transient));
        var other = new InvalidOperationException("step 3: the outer gradient is not finite (NaN in 1 of 2 elements)");
        Assert.Same(other, DivergenceGuard.Classify(other));
    }
}
