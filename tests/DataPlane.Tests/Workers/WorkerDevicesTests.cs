using MetaCluster.TaskWorker.Hosting;

namespace MetaCluster.Tests.Workers;

/// <summary>
/// Where the workers of one process compute: the placement the embedded cluster uses for
/// <c>train --device cuda</c>, and the device each worker reads back from its id. No GPU needed:
/// the GPU count is an argument.
/// </summary>
public sealed class WorkerDevicesTests
{
    [Fact]
    public void CudaWithoutAnIndexPutsOneWorkerOnEachGpu() =>
        Assert.Equal(["cuda:0", "cuda:1", "cuda:2", "cuda:3"], WorkerDevices.Assign("cuda", 4, 4));

    [Fact]
    public void MoreWorkersThanGpusGoRoundTheGpusInTurn() =>
        Assert.Equal(["cuda:0", "cuda:1", "cuda:0", "cuda:1", "cuda:0"], WorkerDevices.Assign("cuda", 5, 2));

    [Fact]
    public void FewerWorkersThanGpusTakeTheFirstGpus() =>
        Assert.Equal(["cuda:0", "cuda:1"], WorkerDevices.Assign("cuda", 2, 8));

    [Fact]
    public void ANamedGpuTakesEveryWorker() =>
        Assert.Equal(["cuda:3", "cuda:3", "cuda:3"], WorkerDevices.Assign("cuda:3", 3, 4));

    [Fact]
    public void TheCpuNeedsNoGpu() =>
        Assert.Equal(["cpu", "cpu"], WorkerDevices.Assign("cpu", 2, 0));

    [Theory]
    [InlineData("cuda", 0, "no CUDA device is visible")]
    [InlineData("cuda:0", 0, "no CUDA device is visible")]
    [InlineData("cuda:4", 4, "this machine has 4 CUDA device(s), cuda:0 to cuda:3")]
    [InlineData("gpu", 1, "must be cpu, cuda or cuda:N")]
    [InlineData("cuda:x", 1, "must be cpu, cuda or cuda:N")]
    public void AGpuThatIsNotThereIsNamed(string device, int gpus, string message) =>
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => WorkerDevices.Assign(device, 2, gpus)).Message);

    [Fact]
    public void EachWorkerIdCarriesItsDevice()
    {
        var options = new WorkerOptions { WorkerIdPrefix = "host-42", Device = "cuda", Devices = WorkerDevices.Assign("cuda", 3, 2), Workers = 3 };
        Assert.Equal(["cuda:0", "cuda:1", "cuda:0"], Enumerable.Range(0, 3).Select(options.DeviceOf));
        Assert.Equal("cuda:1", options.DeviceOf("host-42/cuda:1/1"));
        Assert.Equal("cpu", new WorkerOptions { WorkerIdPrefix = "embedded" }.DeviceOf("embedded/cpu/7"));
        // An id of another form (another process's, a test's own) falls back to the process's device.
        Assert.Equal("cuda", options.DeviceOf("other/cuda:1/1"));
        Assert.Equal("cuda", options.DeviceOf("host-42/"));
    }

    [Fact]
    public void WithoutPerWorkerDevicesEveryWorkerUsesTheProcessDevice()
    {
        var options = new WorkerOptions { Device = "cuda:2", Workers = 2 };
        Assert.Equal("cuda:2", options.DeviceOf(1));
    }
}
