using MetaCluster.TaskWorker.Hosting;
using MetaCluster.ServiceDefaults.Hosting;

namespace MetaCluster.Tests.Processes;

public sealed class NativeMemoryTuningTests
{
    [Fact]
    public void GlibcTakesTheAllocatorSettings()
    {
        // Every supported host (Debian, the container images) is Linux with glibc: the settings must take.
        Assert.True(OperatingSystem.IsLinux());
        NativeMemoryTuning.Apply();
        Assert.True(NativeMemoryTuning.Applied, "mallopt refused a setting or was not found");
    }
}
