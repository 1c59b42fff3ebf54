namespace MetaCluster.Client;

/// <summary>A file of a run's directory on the coordinator.</summary>
/// <param name="Path">Relative to the run directory, '/'-separated (e.g. <c>checkpoints/final.ckpt</c>).</param>
/// <param name="Size">Bytes.</param>
public sealed record RunFileInfo(string Path, long Size);

/// <summary>A file <see cref="MetaClusterClient.DownloadAsync"/> wrote.</summary>
/// <param name="Path">Relative to the run directory, '/'-separated, as the coordinator names it.</param>
/// <param name="LocalPath">Where it is now.</param>
/// <param name="Size">Bytes.</param>
/// <param name="ResumedFrom">Bytes that were already here from an interrupted download (0: copied whole).</param>
public sealed record DownloadedFile(string Path, string LocalPath, long Size, long ResumedFrom);
