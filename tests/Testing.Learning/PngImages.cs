using System.Runtime.InteropServices;
using MetaCluster.Learning.Tasks;
using SkiaSharp;

namespace MetaCluster.Testing.Learning;

/// <summary>Makes PNG files with the same image library the loader decodes with.</summary>
public static class PngImages
{
    /// <summary>A grayscale PNG of [height, width] bytes (0 black, 255 white).</summary>
    public static byte[] Gray(byte[] pixels, int width, int height)
    {
        Assert.Equal(width * height, pixels.Length);
        var info = new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        Assert.Equal(width, bitmap.RowBytes);
        Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>A white image with a black rectangle, plus a little deterministic noise.</summary>
    public static byte[] Rectangle(int size, int left, int top, int right, int bottom, ulong noiseSeed)
    {
        var random = new TaskRandom(noiseSeed, 0, 0, 0);
        var pixels = new byte[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                bool ink = x >= left && x < right && y >= top && y < bottom;
                int noise = random.NextInt(40);
                pixels[y * size + x] = (byte)(ink ? noise : 255 - noise);
            }
        return Gray(pixels, size, size);
    }
}
