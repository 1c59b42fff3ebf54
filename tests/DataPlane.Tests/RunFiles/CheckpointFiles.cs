using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Checkpoints;

namespace MetaCluster.Tests.RunFiles;

/// <summary>Checkpoints for the tests of the run directory's files.</summary>
public static class CheckpointFiles
{
    /// <summary>A small checkpoint with moments and a tensor list: 3 + 2 elements.</summary>
    public static Checkpoint Small(RunDefinition? run = null, long step = 4) =>
        new("run-test", run ?? new RunDefinition { Seed = 5 }, step, step, [1.5f, -2f, 3.25f, 0.5f, -0.125f],
            [0.1f, 0.2f, 0.3f, 0.4f, 0.5f], [1f, 2f, 3f, 4f, 5f])
        {
            Tensors = [new TensorEntry("layer0.weight", [3, 1]), new TensorEntry("layer0.bias", [2])],
            Model = new ModelArchitecture("mlp") { LayerSizes = [1, 3, 2] },
        };
}
