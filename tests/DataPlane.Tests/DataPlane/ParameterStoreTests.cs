using MetaCluster.Coordinator.DataPlane;

namespace MetaCluster.Tests.DataPlane;

public sealed class ParameterStoreTests
{
    [Fact]
    public void AVersionBeingStreamedKeepsItsBytesAndAReleasedOneLendsThemToALaterVersion()
    {
        var store = new ParameterStore();
        var publisher = new ParameterPublisher(store, new AssignmentSecrets());
        publisher.Publish("run", 1, [1f, 1f]);
        byte[] one;
        using (var reading = store.Acquire("run", 1)!)
        {
            var bytes = one = reading.Parameters.Bytes;
            publisher.Publish("run", 2, [2f, 2f]);
            publisher.Publish("run", 3, [3f, 3f]);
            // Version 1 is still being read: neither later version took its array.
            Assert.Equal(BitConverter.GetBytes(1f), bytes[..4]);
            Assert.NotSame(bytes, store.Get("run", 3)!.Bytes);
            Assert.Null(store.Acquire("run", 1));
        }
        // Released and replaced, version 1's array is spare: version 4 reuses it.
        var three = store.Get("run", 3)!.Bytes;
        publisher.Publish("run", 4, [4f, 4f]);
        var four = store.Acquire("run", 4)!;
        Assert.Same(one, four.Parameters.Bytes);
        Assert.Equal([4f, 4f], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(four.Parameters.Bytes).ToArray());
        four.Dispose();
        four.Dispose(); // a second release changes nothing
        // Version 3 was replaced by 4 with nobody reading it: version 5 reuses its array, not 4's.
        publisher.Publish("run", 5, [5f, 5f]);
        Assert.Same(three, store.Get("run", 5)!.Bytes);
        Assert.Equal([4f, 4f], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(four.Parameters.Bytes).ToArray());
    }
}
