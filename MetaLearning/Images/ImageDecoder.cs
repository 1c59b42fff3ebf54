using SkiaSharp;

namespace MetaCluster.Learning.Images;

/// <summary>
/// Turns an encoded image (PNG, JPEG, BMP, GIF, WebP) into the stored form of an
/// <see cref="ImageFormat"/>: bytes 0–255, planar [channels, height, width]. SkiaSharp only
/// decodes (lossless for PNG); colour reduction and resizing are managed code, so every machine
/// gets the same bytes.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Decodes and converts one image; a file that cannot be decoded throws one message naming it.</summary>
    /// <param name="bytes">The encoded file.</param>
    /// <param name="format">The size, channels and polarity to produce.</param>
    /// <param name="displayPath">The file's name in error messages.</param>
    public static byte[] Decode(byte[] bytes, ImageFormat format, string displayPath)
    {
        var planes = DecodePlanes(bytes, format.Channels, displayPath, out int width, out int height);
        var result = new byte[format.PixelsPerImage];
        int area = format.Width * format.Height;
        for (int c = 0; c < format.Channels; c++)
        {
            var resized = width == format.Width && height == format.Height
                ? planes[c]
                : AreaResampler.Resize(planes[c], width, height, format.Width, format.Height);
            for (int i = 0; i < area; i++)
            {
                float v = format.Invert ? 1f - resized[i] : resized[i];
                result[c * area + i] = (byte)Math.Clamp(MathF.Round(v * 255f), 0f, 255f);
            }
        }
        return result;
    }

    // Decodes to RGBA and composites over white, so transparent backgrounds read as paper;
    // grayscale is ITU-R 601 luma (what PIL's convert('L') computes).
    private static float[][] DecodePlanes(byte[] bytes, int channels, string displayPath, out int width, out int height)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data)
            ?? throw new InvalidDataException($"{displayPath}: not a decodable image (corrupt, or not PNG/JPEG/BMP/GIF/WebP)");
        width = codec.Info.Width;
        height = codec.Info.Height;
        if (width <= 0 || height <= 0) throw new InvalidDataException($"{displayPath}: the image has no pixels");
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize];
        var result = codec.GetPixels(info, rgba);
        if (result != SKCodecResult.Success)
            throw new InvalidDataException($"{displayPath}: the image is corrupt or truncated (decoder: {result})");

        int area = width * height;
        var planes = new float[channels][];
        for (int c = 0; c < channels; c++) planes[c] = new float[area];
        for (int i = 0; i < area; i++)
        {
            int r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2], a = rgba[4 * i + 3];
            if (channels == 1)
                planes[0][i] = OverWhite(299 * r + 587 * g + 114 * b, 255_000f, a);
            else
            {
                planes[0][i] = OverWhite(r, 255f, a);
                planes[1][i] = OverWhite(g, 255f, a);
                planes[2][i] = OverWhite(b, 255f, a);
            }
        }
        return planes;
    }

    // value/scale composited over white with alpha a/255 (the common opaque case is exact and cheap).
    private static float OverWhite(int value, float scale, int alpha) =>
        alpha == 255 ? value / scale : alpha / 255f * (value / scale) + (1f - alpha / 255f);
}
