using Grpc.Core;
using MetaCluster.Tests.Clients.Fakes;
using Api = MetaCluster.Protos.Api.V1;

namespace MetaCluster.Tests.Clients.Library;

/// <summary>DownloadAsync against a fake coordinator: layout, resumption by offset, and names that must never be written.</summary>
public sealed class DownloadTests
{
    private static byte[] Bytes(int count, int seed) => [.. Enumerable.Range(0, count).Select(i => (byte)(i * 31 + seed))];

    [Fact]
    public async Task EveryFileLandsUnderItsPathWithNoPartFileLeft()
    {
        using var temp = new TempDirectory();
        var files = new Dictionary<string, byte[]>
        {
            ["summary.json"] = Bytes(10, 1), ["checkpoints/step-5.ckpt"] = Bytes(4500, 2), ["empty.txt"] = [],
        };
        using var client = FakeRunFiles.Serve(files).Client();
        var done = await client.DownloadAsync("run-1", Path.Combine(temp.Path, "out"), TestContext.Current.CancellationToken);

        Assert.Equal(files.Keys.Order(), done.Select(f => f.Path).Order());
        foreach (var (path, bytes) in files)
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(temp.Path, "out", path)));
        Assert.Empty(Directory.GetFiles(temp.Path, "*.part", SearchOption.AllDirectories));
        Assert.All(done, f => Assert.Equal(0, f.ResumedFrom));
    }

    [Fact]
    public async Task APartFileIsContinuedFromItsSizeNotFetchedAgain()
    {
        using var temp = new TempDirectory();
        var bytes = Bytes(5000, 3);
        var fake = FakeRunFiles.Serve(new Dictionary<string, byte[]> { ["checkpoints/final.ckpt"] = bytes });
        Directory.CreateDirectory(Path.Combine(temp.Path, "checkpoints"));
        // The first 2,000 bytes "arrived" before the interruption; zeros, so the test sees they were kept, not fetched again.
        File.WriteAllBytes(Path.Combine(temp.Path, "checkpoints", "final.ckpt.part"), new byte[2000]);
        using var client = fake.Client();
        var done = await client.DownloadAsync("run-1", temp.Path, TestContext.Current.CancellationToken);

        Assert.Equal(2000, done.Single().ResumedFrom);
        Assert.Equal(2000, fake.Calls.Single(c => c.Method == "DownloadRunFile").Parse(Api.DownloadRunFileRequest.Parser).Offset);
        var written = File.ReadAllBytes(Path.Combine(temp.Path, "checkpoints", "final.ckpt"));
        Assert.Equal(new byte[2000], written[..2000]);
        Assert.Equal(bytes[2000..], written[2000..]);
        Assert.False(File.Exists(Path.Combine(temp.Path, "checkpoints", "final.ckpt.part")));
    }

    [Fact]
    public async Task APartFileLongerThanTheFileIsStartedAgain()
    {
        using var temp = new TempDirectory();
        var bytes = Bytes(100, 4);
        File.WriteAllBytes(Path.Combine(temp.Path, "metrics.jsonl.part"), new byte[500]);
        using var client = FakeRunFiles.Serve(new Dictionary<string, byte[]> { ["metrics.jsonl"] = bytes }).Client();
        var done = await client.DownloadAsync("run-1", temp.Path, TestContext.Current.CancellationToken);
        Assert.Equal(0, done.Single().ResumedFrom);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(temp.Path, "metrics.jsonl")));
    }

    [Theory]
    [InlineData("../escaped.txt")]
    [InlineData("checkpoints/../../escaped.txt")]
    [InlineData("/tmp/escaped.txt")]
    [InlineData("a//b")]
    [InlineData("./a")]
    [InlineData("a\\..\\..\\escaped.txt")]
    [InlineData("c:escaped.txt")]
    [InlineData("")]
    [InlineData("summary.json.part")]
    public async Task ANameThatWouldLeaveTheDirectoryIsRefusedBeforeAnythingIsWritten(string name)
    {
        using var temp = new TempDirectory();
        string target = Path.Combine(temp.Path, "deep", "run");
        var files = new Dictionary<string, byte[]> { ["summary.json"] = Bytes(10, 5), [name] = Bytes(10, 6) };
        using var client = FakeRunFiles.Serve(files).Client();
        var e = await Assert.ThrowsAsync<MetaClusterException>(() => client.DownloadAsync("run-1", target, TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Contains("will not write", e.Message);
        Assert.False(Directory.Exists(target), "nothing is written when one name is bad");
        Assert.Empty(Directory.GetFiles(temp.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task ALinkInsideTheDirectoryIsNotFollowed()
    {
        using var temp = new TempDirectory();
        string outside = Path.Combine(temp.Path, "outside");
        string target = Path.Combine(temp.Path, "run");
        Directory.CreateDirectory(outside);
        Directory.CreateDirectory(target);
        Directory.CreateSymbolicLink(Path.Combine(target, "checkpoints"), outside);
        using var client = FakeRunFiles.Serve(new Dictionary<string, byte[]> { ["checkpoints/final.ckpt"] = Bytes(10, 7) }).Client();
        var e = await Assert.ThrowsAsync<MetaClusterException>(() => client.DownloadAsync("run-1", target, TestContext.Current.CancellationToken));
        Assert.Contains("symbolic link", e.Message);
        Assert.Empty(Directory.GetFiles(outside));
    }

    [Fact]
    public async Task AStreamThatSkipsBytesIsDataLossAndLeavesThePartFileToResume()
    {
        using var temp = new TempDirectory();
        var fake = new FakeCoordinator(call => call.Method == "ListRunFiles"
            ? FakeCoordinator.Reply.Ok(new Api.ListRunFilesResponse { Files = { new Api.RunFile { Path = "a.bin", Size = 20 } } })
            : FakeCoordinator.Reply.Ok(
                new Api.FileChunk { Size = 20, Offset = 0, Data = Google.Protobuf.ByteString.CopyFrom(new byte[10]) },
                new Api.FileChunk { Size = 20, Offset = 15, Data = Google.Protobuf.ByteString.CopyFrom(new byte[5]) }));
        using var client = fake.Client();
        var e = await Assert.ThrowsAsync<MetaClusterException>(() => client.DownloadAsync("run-1", temp.Path, TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.DataLoss, e.StatusCode);
        Assert.False(File.Exists(Path.Combine(temp.Path, "a.bin")));
        Assert.Equal(10, new FileInfo(Path.Combine(temp.Path, "a.bin.part")).Length);
    }
}
