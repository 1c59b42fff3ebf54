using System.Runtime.ExceptionServices;

namespace MetaCluster.Learning.Images;

/// <summary>
/// Decodes many images at once. Decoding dominates loading time and each image is independent,
/// so they are decoded in parallel, each into its own slot; the first failure in input order is
/// then thrown alone, so the message is the same from run to run.
/// </summary>
internal static class ParallelImageDecoder
{
    /// <summary>One file to decode.</summary>
    public sealed record Item(byte[] Bytes, string DisplayPath);

    /// <summary>The decoded pixels of every item, in order.</summary>
    public static byte[][] DecodeAll(IReadOnlyList<Item> items, ImageFormat format)
    {
        var results = new byte[items.Count][];
        var errors = new Exception?[items.Count];
        Parallel.For(0, items.Count, i =>
        {
            try
            {
                results[i] = ImageDecoder.Decode(items[i].Bytes, format, items[i].DisplayPath);
            }
            catch (Exception e)
            {
                errors[i] = e;
            }
        });
        for (int i = 0; i < errors.Length; i++)
        {
            if (errors[i] is InvalidDataException known) ExceptionDispatchInfo.Throw(known);
            if (errors[i] is { } other) throw new InvalidDataException($"{items[i].DisplayPath}: {other.Message}", other);
        }
        return results;
    }
}
