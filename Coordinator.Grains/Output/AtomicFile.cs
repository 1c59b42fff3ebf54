namespace MetaCluster.Coordinator.Output;

/// <summary>Opens the stream a file's bytes are written to; tests pass one that fails part-way, as a full disk does.</summary>
public delegate Stream FileStreamFactory(string path);

/// <summary>
/// Writes a file so that a reader sees the old file or the whole new one, never a part: the bytes
/// go to "NAME.tmp", are flushed to disk, and the temporary file is renamed over NAME. When the
/// write fails (a full disk, a read-only folder), the temporary file is deleted, so a failed write
/// leaves nothing behind that could be mistaken for output, and the error goes to the caller.
/// Two writers of one file in this process (a run recording its own stop while the API records
/// the same stop) take turns, since they share the temporary name; the last one wins.
/// </summary>
public static class AtomicFile
{
    /// <summary>Creates (or truncates) a file for writing: the default <see cref="FileStreamFactory"/>.</summary>
    public static Stream Create(string path) => new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);

    /// <summary>Writes <paramref name="path"/> atomically with what <paramref name="write"/> puts in the stream.</summary>
    public static void Write(string path, Action<Stream> write, FileStreamFactory? create = null)
    {
        string temp = path + ".tmp";
        lock (Turns[(StringComparer.Ordinal.GetHashCode(Path.GetFullPath(path)) & int.MaxValue) % Turns.Length])
            WriteThroughTemporary(path, temp, write, create);
    }

    // Striped locks: a lock per path would grow with every file a long-lived coordinator writes.
    private static readonly object[] Turns = Enumerable.Range(0, 64).Select(_ => new object()).ToArray();

    private static void WriteThroughTemporary(string path, string temp, Action<Stream> write, FileStreamFactory? create)
    {
        try
        {
            using (var stream = (create ?? Create)(temp))
            {
                write(stream);
                stream.Flush();
                if (stream is FileStream file) file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteBytes(string path, ReadOnlySpan<byte> bytes, FileStreamFactory? create = null)
    {
        var copy = bytes.ToArray(); // a span cannot be captured by the lambda
        Write(path, s => s.Write(copy), create);
    }

    /// <summary>Writes UTF-8 <paramref name="text"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteText(string path, string text, FileStreamFactory? create = null) =>
        Write(path, s => s.Write(System.Text.Encoding.UTF8.GetBytes(text)), create);

    // The original error is what the caller needs to hear; a temporary file that cannot be deleted
    // either (it is a folder, the disk went away) changes nothing about it.
    private static void DeleteQuietly(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
