using MetaCluster.Learning.Images;

namespace MetaCluster.Tests.Images;

public sealed class ImageRotationTests
{
    // 3x3 image with values 0..8 (scaled by 1/255 on copy):
    //   0 1 2
    //   3 4 5
    //   6 7 8
    private static readonly byte[] Source = [0, 1, 2, 3, 4, 5, 6, 7, 8];

    [Theory]
    [InlineData(0, new byte[] { 0, 1, 2, 3, 4, 5, 6, 7, 8 })]
    [InlineData(1, new byte[] { 2, 5, 8, 1, 4, 7, 0, 3, 6 })] // counter-clockwise: the right column becomes the top row
    [InlineData(2, new byte[] { 8, 7, 6, 5, 4, 3, 2, 1, 0 })]
    [InlineData(3, new byte[] { 6, 3, 0, 7, 4, 1, 8, 5, 2 })]
    public void QuarterTurnsAreCounterClockwise(int turns, byte[] expected)
    {
        var target = new float[9];
        ImageRotation.CopyRotated(Source, new ImageFormat(3, 3), turns, target);
        Assert.Equal(expected.Select(v => v / 255f), target);
    }

    [Fact]
    public void NonSquareImagesCannotBeTurnedAQuarter()
    {
        var error = Assert.Throws<ArgumentException>(() => ImageRotation.CopyRotated(new byte[6], new ImageFormat(3, 2), 1, new float[6]));
        Assert.Contains("square", error.Message);
    }
}
