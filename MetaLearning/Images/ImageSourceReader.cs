using System.IO.Compression;

namespace MetaCluster.Learning.Images;

/// <summary>
/// Lists the files and folders of an image source: a folder on disk or a .zip archive read in
/// place (nothing is extracted). Operating-system clutter (hidden files, <c>__MACOSX</c>,
/// Thumbs.db, desktop.ini) is left out, so archives made on any system read the same.
/// </summary>
public static class ImageSourceReader
{
    /// <summary>The file extensions read as images.</summary>
    public static IReadOnlySet<string> ImageExtensions { get; } =
        new HashSet<string>([".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether a file name has an image extension.</summary>
    public static bool IsImageName(string name) => ImageExtensions.Contains(Path.GetExtension(name));

    /// <summary>Every entry of the source, in a stable order (ordinal by path).</summary>
    public static IReadOnlyList<SourceEntry> Read(string source)
    {
        List<SourceEntry> entries;
        if (Directory.Exists(source)) entries = ReadFolder(source);
        else if (File.Exists(source)) entries = ReadZip(source);
        else throw new FileNotFoundException($"image source '{source}' does not exist (expected a folder or a .zip file)", source);
        // Zip entry order and directory enumeration order differ between tools and file systems:
        // sort so every worker builds the same data set.
        entries.Sort((a, b) => string.CompareOrdinal(string.Join('/', a.Segments), string.Join('/', b.Segments)));
        return entries;
    }

    private static List<SourceEntry> ReadFolder(string root)
    {
        var entries = new List<SourceEntry>();
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", options))
        {
            var segments = Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            if (IsClutter(segments)) continue;
            entries.Add(Directory.Exists(path)
                ? new SourceEntry(segments, path, null)
                : new SourceEntry(segments, path, File.ReadAllBytes(path)));
        }
        return entries;
    }

    private static List<SourceEntry> ReadZip(string zipPath)
    {
        var entries = new List<SourceEntry>();
        try
        {
            using var archive = ZipFile.OpenRead(zipPath);
            var folders = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in archive.Entries)
            {
                // Archives made on Windows may use backslashes.
                var segments = entry.FullName.Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries);
                if (segments.Length == 0 || IsClutter(segments)) continue;
                // Not every zip tool writes folder entries: derive them from the files' paths.
                for (int depth = 1; depth < segments.Length; depth++)
                    AddFolder(entries, folders, zipPath, segments[..depth]);
                bool isFolder = entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\');
                if (isFolder) { AddFolder(entries, folders, zipPath, segments); continue; }
                var display = $"{zipPath}/{string.Join('/', segments)}";
                entries.Add(new SourceEntry(segments, display, ReadEntry(entry, display)));
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{zipPath}: not a readable zip archive ({e.Message})", e);
        }
        return entries;
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry, string display)
    {
        try
        {
            var bytes = new byte[entry.Length];
            using var stream = entry.Open();
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"{display}: the zip entry cannot be read ({e.Message})", e);
        }
    }

    private static void AddFolder(List<SourceEntry> entries, HashSet<string> folders, string zipPath, string[] segments)
    {
        var key = string.Join('/', segments);
        if (folders.Add(key)) entries.Add(new SourceEntry(segments, $"{zipPath}/{key}", null));
    }

    private static bool IsClutter(string[] segments) =>
        segments.Any(s => s.StartsWith('.') || s == "__MACOSX")
        || segments[^1].Equals("Thumbs.db", StringComparison.OrdinalIgnoreCase)
        || segments[^1].Equals("desktop.ini", StringComparison.OrdinalIgnoreCase);
}
