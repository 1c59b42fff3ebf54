using System.Diagnostics;
using MetaCluster.Learning.Images;

namespace MetaCluster.Tests.Images;

/// <summary>
/// Both Omniglot zips, loaded once for every test class of the "Omniglot" collection. Where the data
/// is missing nothing is loaded, and each test that reads the data is skipped when it asks for it
/// (the collection also holds tests that make their own images; those still run).
/// </summary>
public sealed class OmniglotFixture
{
    private readonly Loaded? loaded;

    public OmniglotFixture()
    {
        if (OmniglotData.Missing is not null) return;
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var union = ImageDataset.Load([OmniglotData.Small1, OmniglotData.Small2]);
        var loadTime = watch.Elapsed;
        var loadCpuTime = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        loaded = new(union, loadTime, loadCpuTime, GC.GetTotalMemory(forceFullCollection: true) - before);
    }

    /// <summary>The union of both zips: 8 alphabets, 242 characters, 4,840 drawings.</summary>
    public ImageDataset Union => Require().Union;

    public TimeSpan LoadTime => Require().LoadTime;

    /// <summary>Processor time of the load (all threads): a measure that other work on the machine does not inflate.</summary>
    public TimeSpan LoadCpuTime => Require().LoadCpuTime;

    /// <summary>Managed memory the loaded data set keeps alive.</summary>
    public long RetainedBytes => Require().RetainedBytes;

    private Loaded Require()
    {
        if (loaded is null) Assert.Skip(OmniglotData.Missing ?? "the Omniglot data could not be read");
        return loaded;
    }

    private sealed record Loaded(ImageDataset Union, TimeSpan LoadTime, TimeSpan LoadCpuTime, long RetainedBytes);
}

[CollectionDefinition("Omniglot")]
public sealed class OmniglotCollection : ICollectionFixture<OmniglotFixture>;
