namespace MetaCluster.Learning.Images;

/// <summary>
/// Copies a stored image into a float buffer, scaled to [0, 1] and rotated by a multiple of 90°
/// (counter-clockwise, like numpy's rot90). Rotating at sampling time makes the 90/180/270°
/// augmentation classes cost no memory.
/// </summary>
public static class ImageRotation
{
    private static readonly float[] Scale = Enumerable.Range(0, 256).Select(v => v / 255f).ToArray();

    /// <summary>Writes <paramref name="source"/> ([C, H, W] bytes) turned <paramref name="quarterTurns"/> × 90° into <paramref name="target"/>.</summary>
    public static void CopyRotated(ReadOnlySpan<byte> source, ImageFormat format, int quarterTurns, Span<float> target)
    {
        int h = format.Height, w = format.Width, area = h * w;
        if (quarterTurns % 2 != 0 && h != w)
            throw new ArgumentException($"a {w}x{h} image cannot be turned by 90°: rotation augmentation needs square images");
        for (int c = 0; c < format.Channels; c++)
        {
            var plane = source.Slice(c * area, area);
            var output = target.Slice(c * area, area);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int from = (quarterTurns & 3) switch
                    {
                        0 => y * w + x,
                        1 => x * w + (w - 1 - y),
                        2 => (h - 1 - y) * w + (w - 1 - x),
                        _ => (h - 1 - x) * w + y,
                    };
                    output[y * w + x] = Scale[plane[from]];
                }
        }
    }
}
