namespace MetaCluster.Learning.Images;

/// <summary>
/// Resizes one plane of pixels by area averaging: each output pixel is the mean of the source
/// area it covers, with fractional coverage at its edges. It is anti-aliased when shrinking
/// (105 → 28 for Omniglot keeps thin strokes), and, being plain managed arithmetic in a fixed
/// order, gives bit-identical results on every machine, so workers that decode the same file
/// build the same tasks.
/// </summary>
public static class AreaResampler
{
    /// <summary>Resizes <paramref name="source"/> ([sourceHeight, sourceWidth], row-major) to [height, width].</summary>
    public static float[] Resize(ReadOnlySpan<float> source, int sourceWidth, int sourceHeight, int width, int height)
    {
        if (source.Length != sourceWidth * sourceHeight)
            throw new ArgumentException($"{source.Length} pixels do not make a {sourceWidth}x{sourceHeight} image");
        var columns = Weights(sourceWidth, width);
        var rows = Weights(sourceHeight, height);

        // Separable: first along rows (sourceHeight × width), then along columns.
        var horizontal = new float[sourceHeight * width];
        for (int y = 0; y < sourceHeight; y++)
        {
            var row = source.Slice(y * sourceWidth, sourceWidth);
            for (int x = 0; x < width; x++)
                horizontal[y * width + x] = Apply(columns[x], row, 1);
        }
        var result = new float[height * width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                result[y * width + x] = Apply(rows[y], horizontal.AsSpan(x), width);
        return result;
    }

    private static float Apply((int First, float[] Weights) taps, ReadOnlySpan<float> line, int stride)
    {
        double sum = 0;
        for (int i = 0; i < taps.Weights.Length; i++)
            sum += taps.Weights[i] * line[(taps.First + i) * stride];
        return (float)sum;
    }

    // For output pixel o: the source pixels it overlaps, and the overlap of each as a fraction of
    // the output pixel's extent (the fractions sum to 1).
    private static (int First, float[] Weights)[] Weights(int sourceSize, int size)
    {
        var taps = new (int, float[])[size];
        double scale = (double)sourceSize / size;
        for (int o = 0; o < size; o++)
        {
            double start = o * scale, end = (o + 1) * scale;
            int first = (int)Math.Floor(start);
            int last = Math.Min(sourceSize - 1, (int)Math.Ceiling(end) - 1);
            var weights = new float[last - first + 1];
            for (int i = first; i <= last; i++)
                weights[i - first] = (float)((Math.Min(i + 1, end) - Math.Max(i, start)) / scale);
            taps[o] = (first, weights);
        }
        return taps;
    }
}
