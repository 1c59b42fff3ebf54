namespace MetaCluster.Learning.Images;

/// <summary>
/// One file or folder of an image source (a folder or a .zip), with its path inside the source
/// split into segments, and the bytes of a file.
/// </summary>
/// <param name="Segments">The path inside the source, one folder or file name per segment.</param>
/// <param name="DisplayPath">What error messages show: the folder's file path, or the zip's path followed by the entry.</param>
/// <param name="Bytes">The file's content; null for a folder.</param>
public sealed record SourceEntry(IReadOnlyList<string> Segments, string DisplayPath, byte[]? Bytes)
{
    /// <summary>Whether this entry is a folder.</summary>
    public bool IsFolder => Bytes is null;

    /// <summary>The last segment: the file or folder name.</summary>
    public string Name => Segments[^1];

    /// <summary>The segments of the containing folder.</summary>
    public IReadOnlyList<string> Parent => Segments.Take(Segments.Count - 1).ToArray();
}
