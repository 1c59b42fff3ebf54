using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Export;

namespace MetaCluster.Tests.RunFiles;

public sealed class FullDiskTests
{
    [Fact]
    public void ACheckpointWriteThatFailsMidwayLeavesNoTemporaryFileAndKeepsTheOldCheckpoint()
    {
        using var folder = new TempFolder();
        var checkpoints = new CheckpointDirectory(folder.Path);
        string saved = checkpoints.Save(CheckpointFiles.Small(step: 4));
        var disk = new FullDisk(bytesLeft: 100);
        var full = new CheckpointDirectory(folder.Path, create: disk.Open);

        Assert.Throws<IOException>(() => full.Save(CheckpointFiles.Small(step: 6)));

        Assert.Equal([Path.Combine(checkpoints.Path, "step-00000006.ckpt.tmp")], disk.Opened);
        Assert.Equal([saved], Directory.GetFiles(checkpoints.Path));
        Assert.Equal(4, Checkpoint.Load(saved).Step);
    }

    [Fact]
    public void AFinalCheckpointWriteThatFailsLeavesNothingBehind()
    {
        using var folder = new TempFolder();
        var full = new CheckpointDirectory(folder.Path, create: new FullDisk(bytesLeft: 0).Open);

        Assert.Throws<IOException>(() => full.SaveFinal(CheckpointFiles.Small()));

        Assert.Empty(Directory.GetFiles(full.Path));
    }

    [Fact]
    public void AnExportThatFailsMidwayLeavesNoTemporaryFile()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, RunExport.FileName);

        Assert.Throws<IOException>(() => RunExport.Write(CheckpointFiles.Small(), path, new FullDisk(bytesLeft: 20).Open));

        Assert.Empty(Directory.GetFiles(folder.Path));
    }
}
