namespace MetaCluster.Tests.Clients.Library;

public sealed class FloatTensorTests
{
    [Fact]
    public void AShapeMustHoldExactlyTheValues()
    {
        Assert.Contains("holds 6 values, got 5", Assert.Throws<ArgumentException>(() => new FloatTensor(new float[5], [2, 3])).Message);
        Assert.Throws<ArgumentException>(() => new FloatTensor([], [-1]));
        Assert.Equal([3, 1], FloatTensor.Column(1, 2, 3).Shape);
        var rows = FloatTensor.FromRows([[1f, 2f], [3f, 4f], [5f, 6f]]);
        Assert.Equal([3, 2], rows.Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], rows.Values);
        Assert.Equal(FloatTensor.Column(1, 2), new FloatTensor([1f, 2f], [2, 1]));
        Assert.NotEqual(FloatTensor.Column(1, 2), new FloatTensor([1f, 2f], [1, 2]));
    }
}
