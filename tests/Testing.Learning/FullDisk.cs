namespace MetaCluster.Testing.Learning;

/// <summary>
/// A disk that fills up: files open as usual, and a write fails with the IOException a full disk
/// gives once <paramref name="bytesLeft"/> bytes have gone through (what reached the file stays there,
/// as on a real disk). Tests of atomic writes pass <see cref="Open"/> as the product's stream factory.
/// </summary>
public sealed class FullDisk(long bytesLeft)
{
    private long bytesLeft = bytesLeft;

    /// <summary>Files opened, in order.</summary>
    public List<string> Opened { get; } = [];

    /// <summary>Opens (creates or truncates) <paramref name="path"/> on this disk.</summary>
    public Stream Open(string path)
    {
        Opened.Add(path);
        return new FillingStream(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None), this);
    }

    private sealed class FillingStream(Stream inner, FullDisk disk) : Stream
    {
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            int fits = (int)Math.Min(buffer.Length, disk.bytesLeft);
            inner.Write(buffer[..fits]);
            disk.bytesLeft -= fits;
            if (fits < buffer.Length) throw new IOException("No space left on device");
        }

        public override void Flush() => inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
