using Grpc.Core;
using MetaCluster.Protos.Api.V1;

namespace MetaCluster.Client;

/// <summary>
/// Copies a run's directory file by file. Each file is written to <c>NAME.part</c> and renamed over
/// <c>NAME</c> once complete, so a file under its own name is always whole; a <c>.part</c> left by an
/// interrupted copy is continued from its size (DownloadRunFile's offset), here or in a later call.
/// </summary>
internal sealed class RunDownloader(ClusterApi.ClusterApiClient api, ApiCalls calls)
{
    // A stream cut after some progress (a coordinator restart, a dropped connection) is continued this
    // many times within one call; the retry policy cannot do it, as it only retries before the first answer.
    private const int Resumptions = 3;

    public async Task<IReadOnlyList<DownloadedFile>> DownloadAllAsync(string runId, string directory, CancellationToken cancellationToken)
    {
        string root = Path.GetFullPath(directory);
        var listing = await calls.Unary(api.ListRunFilesAsync(new ListRunFilesRequest { RunId = runId }, cancellationToken: cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        // Every name is checked before anything is written: one bad name refuses the whole copy.
        foreach (var file in listing.Files) RunFilePaths.Resolve(root, file.Path);
        Directory.CreateDirectory(root);
        var done = new List<DownloadedFile>(listing.Files.Count);
        foreach (var file in listing.Files)
            done.Add(await DownloadOneAsync(runId, file, RunFilePaths.Resolve(root, file.Path), cancellationToken).ConfigureAwait(false));
        return done;
    }

    private async Task<DownloadedFile> DownloadOneAsync(string runId, RunFile file, string target, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string partial = target + RunFilePaths.PartialSuffix;
        long resumedFrom = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        // A partial copy longer than the file is now (the run rewrote it) is no prefix of it: start again.
        if (resumedFrom > file.Size) resumedFrom = 0;
        long size;
        await using (var stream = new FileStream(partial, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None))
        {
            stream.SetLength(resumedFrom);
            stream.Position = resumedFrom;
            (size, bool restarted) = await CopyAsync(runId, file.Path, stream, cancellationToken).ConfigureAwait(false);
            if (restarted) resumedFrom = 0;
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        File.Move(partial, target, overwrite: true);
        return new DownloadedFile(file.Path, target, size, resumedFrom);
    }

    /// <summary>Writes the rest of the file from the stream's position; returns its size and whether it had to start again from 0.</summary>
    private async Task<(long Size, bool Restarted)> CopyAsync(string runId, string path, FileStream stream, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            long before = stream.Position;
            try
            {
                return await CopyFromAsync(runId, path, stream, cancellationToken).ConfigureAwait(false);
            }
            catch (MetaClusterException e) when (e.StatusCode == StatusCode.Unavailable && attempt < Resumptions && stream.Position > before)
            {
                // Progress was made: ask again from where the bytes stop.
            }
        }
    }

    private async Task<(long Size, bool Restarted)> CopyFromAsync(string runId, string path, FileStream stream, CancellationToken cancellationToken)
    {
        long? size = null;
        var request = new DownloadRunFileRequest { RunId = runId, Path = path, Offset = stream.Position };
        try
        {
            await foreach (var chunk in calls.Stream(api.DownloadRunFile(request, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false))
            {
                if (chunk.Offset != stream.Position)
                    throw Broken(path, $"a chunk at byte {chunk.Offset}, expected {stream.Position}");
                size = chunk.Size;
                if (stream.Position + chunk.Data.Length > chunk.Size) throw Broken(path, $"more than its {chunk.Size} bytes");
                await stream.WriteAsync(chunk.Data.Memory, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (MetaClusterException e) when (e.StatusCode == StatusCode.InvalidArgument && request.Offset > 0)
        {
            // The file shrank since it was listed (the run rewrote it): start again.
            stream.SetLength(0);
            stream.Position = 0;
            return ((await CopyFromAsync(runId, path, stream, cancellationToken).ConfigureAwait(false)).Size, true);
        }
        if (size is null) throw Broken(path, "no data at all");
        if (stream.Position != size) throw Broken(path, $"{stream.Position} of its {size} bytes before the stream ended");
        return (size.Value, false);
    }

    private static MetaClusterException Broken(string path, string what) =>
        new(StatusCode.DataLoss, $"download of '{path}' broken: the coordinator sent {what}");
}
