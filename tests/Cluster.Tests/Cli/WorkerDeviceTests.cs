using MetaCluster.Embedded;
using MetaCluster.TaskWorker.Hosting;

namespace MetaCluster.Tests.Cli;

/// <summary>
/// <c>--device</c> decided at run time: a TaskWorker whose libtorch has no CUDA refuses a GPU at
/// start with one line and exit code 2, before it joins anything; the embedded cluster places its
/// workers with <see cref="WorkerDevices.Assign"/>.
/// </summary>
public sealed class WorkerDeviceTests
{
    [Fact]
    public async Task ATaskWorkerRefusesAGpuItsLibtorchCannotReachWithOneLine()
    {
        if (TorchSharp.torch.cuda.is_available()) Assert.Skip("this machine's libtorch has CUDA: the refusal is for CPU-only machines");
        var output = new StringWriter();
        var errors = new StringWriter();
        // Redis on a port nobody listens on: the check must come before any connection.
        int exit = await WorkerCommandLine.RunAsync(["--redis", "127.0.0.1:1", "--device", "cuda:0"], output, errors);
        Assert.Equal(2, exit);
        var lines = errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: --device cuda:0: the libtorch this process loaded has no CUDA", lines[0]);
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public void TheEmbeddedClusterKeepsCpuWorkersOnTheCpuAndHonoursGivenDevices()
    {
        Assert.Equal(["cpu", "cpu", "cpu"], new EmbeddedClusterOptions(3, "cpu").PlaceWorkers());
        Assert.Equal(["cuda:1", "cuda:0"], new EmbeddedClusterOptions(2, "cuda") { Devices = ["cuda:1", "cuda:0"] }.PlaceWorkers());
    }
}
