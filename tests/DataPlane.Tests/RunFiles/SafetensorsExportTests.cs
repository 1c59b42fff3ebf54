using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Export;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Images;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Relations;

namespace MetaCluster.Tests.RunFiles;

public sealed class SafetensorsExportTests
{
    private static Checkpoint MetaSgdWithTrLearner()
    {
        var model = new Mlp(1, 40, 40, 1);
        var tr = new TrLearnerSettings(0.5);
        long elements = 2 * model.Layout.Count + tr.Heads * tr.ProjectionSize * model.FeatureSize;
        var random = new Random(7);
        float[] theta = [.. Enumerable.Range(0, (int)elements).Select(_ => (float)random.NextDouble() - 0.5f)];
        var run = new RunDefinition { Algorithm = "metasgd", TrLambda = 0.5, InnerSteps = 2, InnerLr = 0.05 };
        return new Checkpoint("run-export", run, 300, 300, theta, null, null)
        {
            Tensors = TensorEntry.ForRun(new MetaSgd(new InnerLoopSettings(2, 0.05)), model, tr, elements),
            Model = ModelArchitecture.Describe(model),
        };
    }

    [Fact]
    public void AnExportReadsBackWithPyTorchNamesShapesValuesBitForBitAndItsDigest()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, RunExport.FileName);
        var checkpoint = MetaSgdWithTrLearner();

        RunExport.Write(checkpoint, path);
        var file = SafetensorsReader.Read(path);

        Assert.Equal(
            ["layer0.weight", "layer0.bias", "layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias",
             "lr.layer0.weight", "lr.layer0.bias", "lr.layer1.weight", "lr.layer1.bias", "lr.layer2.weight", "lr.layer2.bias", "tr.projections"],
            file.Tensors.Select(t => t.Name));
        Assert.Equal([40, 1], file["layer0.weight"].Shape);
        Assert.Equal([1, 40], file["lr.layer2.weight"].Shape);
        Assert.Equal([4, 32, 40], file["tr.projections"].Shape);
        var values = file.Tensors.SelectMany(t => t.Values).ToArray();
        Assert.Equal(checkpoint.Theta.Select(BitConverter.SingleToInt32Bits), values.Select(BitConverter.SingleToInt32Bits));

        // The digest, recomputed from the file's own bytes, is the metadata's.
        var bytes = File.ReadAllBytes(path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + headerLength) % 8);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan((int)(8 + headerLength)))), file.Metadata["data_sha256"]);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        Assert.Equal("F32", header.RootElement.GetProperty("layer1.bias").GetProperty("dtype").GetString());

        Assert.Equal("mlp", file.Metadata["model"]);
        Assert.Equal("1,40,40,1", file.Metadata["layer_sizes"]);
        Assert.Equal(("metasgd", "sinusoid", "2", "0.05"), (file.Metadata["algorithm"], file.Metadata["task"], file.Metadata["inner_steps"], file.Metadata["inner_lr"]));
        Assert.Equal(("run-export", "300", "pt"), (file.Metadata["run_id"], file.Metadata["step"], file.Metadata["format"]));
    }

    [Fact]
    public void ACnn4ExportNamesItsBlocksAndHeadLikePyTorchAndDescribesItsInput()
    {
        using var folder = new TempFolder();
        var model = new Cnn4(5, hiddenChannels: 8);
        float[] theta = new float[model.Layout.Count];
        var checkpoint = new Checkpoint("run-cnn", new RunDefinition { Task = "images", Algorithm = "maml", Ways = 5 }, 1, 1, theta, null, null)
        {
            Tensors = TensorEntry.ForRun(new Maml(new InnerLoopSettings(1, 0.4), false), model, new TrLearnerSettings(0), theta.Length),
            Model = ModelArchitecture.Describe(model),
        };
        string path = Path.Combine(folder.Path, RunExport.FileName);

        RunExport.Write(checkpoint, path);
        var file = SafetensorsReader.Read(path);

        Assert.Equal([8, 1, 3, 3], file["block0.conv.weight"].Shape);
        Assert.Equal([8, 8, 3, 3], file["block3.conv.weight"].Shape);
        Assert.Equal([8], file["block2.norm.weight"].Shape);
        Assert.Equal([8], file["block2.norm.bias"].Shape);
        Assert.Equal([5, 8], file["head.weight"].Shape);
        Assert.Equal([5], file["head.bias"].Shape);
        Assert.Equal(("cnn4", "5", "8"), (file.Metadata["model"], file.Metadata["ways"], file.Metadata["hidden_channels"]));
        Assert.Equal(("1", "28", "28"), (file.Metadata["input_channels"], file.Metadata["input_height"], file.Metadata["input_width"]));
    }

    [Fact]
    public void ACorruptedByteInTheDataIsDetectedAndTheFileNamedInOneLine()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, RunExport.FileName);
        RunExport.Write(MetaSgdWithTrLearner(), path);
        var bytes = File.ReadAllBytes(path);
        bytes[^100] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => SafetensorsReader.Read(path));

        Assert.StartsWith(path + ": damaged", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData(8)] // the header's opening brace: not JSON any more
    [InlineData(7)] // the header length's top byte: a length beyond the file
    public void AMalformedHeaderIsNamedInOneLine(int byteIndex)
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, RunExport.FileName);
        RunExport.Write(CheckpointFiles.Small(), path);
        var bytes = File.ReadAllBytes(path);
        bytes[byteIndex] = (byte)'!';
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => SafetensorsReader.Read(path));

        Assert.StartsWith(path + ": ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void AnOldRunIsExportedFromItsFinalCheckpointEvenWhenTheCheckpointDoesNotDescribeItsModel()
    {
        using var folder = new TempFolder();
        var model = new MetaCluster.Learning.Tasks.SinusoidTasks().CreateModel();
        var theta = model.Initialize(3).data<float>().ToArray();
        new Checkpoint("run-old", new RunDefinition { Seed = 3 }, 2000, 2000, theta, null, null).Save(Path.Combine(folder.Path, "checkpoints", "final.ckpt"));

        string written = RunExport.Write(folder.Path);

        var file = SafetensorsReader.Read(written);
        Assert.Equal(Path.Combine(folder.Path, "model.safetensors"), written);
        Assert.Equal(["layer0.weight", "layer0.bias", "layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias"], file.Tensors.Select(t => t.Name));
        Assert.Equal(theta, file.Tensors.SelectMany(t => t.Values));
        Assert.Equal("2000", file.Metadata["step"]);
    }

    [Fact]
    public void ARunDirectoryWithoutCheckpointsIsOneLine()
    {
        using var folder = new TempFolder();

        var error = Assert.Throws<InvalidDataException>(() => RunExport.Write(folder.Path));

        Assert.Contains("no checkpoint to export", error.Message);
    }
}
