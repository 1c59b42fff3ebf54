using System.Diagnostics;
using MetaCluster.Learning.Images;

namespace MetaCluster.Tests.Images;

/// <summary>Both Omniglot zips, loaded once for every test class of the "Omniglot" collection.</summary>
public sealed class OmniglotFixture
{
    public OmniglotFixture()
    {
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        Union = ImageDataset.Load([OmniglotData.Small1, OmniglotData.Small2]);
        LoadTime = watch.Elapsed;
        LoadCpuTime = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        RetainedBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
    }

    /// <summary>The union of both zips: 8 alphabets, 242 characters, 4,840 drawings.</summary>
    public ImageDataset Union { get; }

    public TimeSpan LoadTime { get; }

    /// <summary>Processor time of the load (all threads): a measure that other work on the machine does not inflate.</summary>
    public TimeSpan LoadCpuTime { get; }

    /// <summary>Managed memory the loaded data set keeps alive.</summary>
    public long RetainedBytes { get; }
}

[CollectionDefinition("Omniglot")]
public sealed class OmniglotCollection : ICollectionFixture<OmniglotFixture>;
