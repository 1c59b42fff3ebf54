using System.Text;
using MetaCluster.Coordinator.Checkpoints;

namespace MetaCluster.Tests.RunFiles;

public sealed class CheckpointVerificationTests
{
    [Fact]
    public void ACheckpointReadsBackBitForBitWithItsTensorListAndModel()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "checkpoints", "step-00000004.ckpt");
        var saved = CheckpointFiles.Small();
        saved.Save(path);

        var loaded = Checkpoint.Load(path);

        Assert.Equal(saved.Theta, loaded.Theta);
        Assert.Equal(saved.FirstMoment, loaded.FirstMoment);
        Assert.Equal(saved.SecondMoment, loaded.SecondMoment);
        Assert.Equal((saved.RunId, saved.Step, saved.AdamStep, saved.Definition.Seed), (loaded.RunId, loaded.Step, loaded.AdamStep, loaded.Definition.Seed));
        Assert.Equal(["layer0.weight", "layer0.bias"], loaded.Tensors!.Select(t => t.Name));
        Assert.Equal([1, 3, 2], loaded.Model!.LayerSizes!);
        Assert.Equal("METACLUSTER-CHECKPOINT 2\n", Encoding.ASCII.GetString(File.ReadAllBytes(path), 0, 25));
    }

    [Fact]
    public void SixteenFlippedBytesInsideThetaAreNamedInOneLineAndNotLoaded()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "final.ckpt");
        var run = new MetaCluster.Abstractions.RunDefinition();
        new Checkpoint("run-test", run, 10, 10, [.. Enumerable.Range(0, 64).Select(i => i * 0.01f)], null, null).Save(path);
        var bytes = File.ReadAllBytes(path);
        // θ is the 256 bytes before the 32-byte digest; flip 16 of them in the middle.
        int thetaStart = bytes.Length - 32 - 64 * sizeof(float);
        for (int i = 0; i < 16; i++) bytes[thetaStart + 100 + i] ^= 0xFF;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));

        Assert.StartsWith(path + ": damaged", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void ATruncatedCheckpointIsNamed()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "step-00000004.ckpt");
        CheckpointFiles.Small().Save(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));

        Assert.StartsWith(path + ": ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1e11")]
    [InlineData("100000000000")]
    [InlineData("9223372036854775807")]
    public void AHeaderWithAnImpossibleElementCountIsOneLineEvenWithAMatchingDigest(string elements)
    {
        using var folder = new TempFolder();
        string path = folder.Write("forged.ckpt", ForgedCheckpoints.Bytes(2, ForgedCheckpoints.Header(elements), tensorBytes: 16));

        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));

        Assert.StartsWith(path + ": ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void AVersionOneCheckpointIsNamedAsAnOldFormatInsteadOfCrashing()
    {
        using var folder = new TempFolder();
        // Version 1's header with elements -1 made today's reader ask for -4 bytes: an unhandled ArgumentOutOfRangeException.
        string path = folder.Write("old.ckpt", ForgedCheckpoints.Bytes(1, ForgedCheckpoints.Header("-1"), tensorBytes: 16));

        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));

        Assert.Equal($"{path}: an old checkpoint (format version 1, without a digest), which this version cannot verify and does not load", error.Message);
    }

    [Fact]
    public void AFileThatIsNoCheckpointIsNamed()
    {
        using var folder = new TempFolder();
        string path = folder.Write("notes.ckpt", Encoding.UTF8.GetBytes("hello"));

        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));

        Assert.StartsWith(path + ": not a checkpoint", error.Message);
    }
}
