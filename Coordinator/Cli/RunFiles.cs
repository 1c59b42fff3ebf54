using Grpc.Core;
using MetaCluster.Protos.Api.V1;

namespace MetaCluster.Coordinator.Cli;

/// <summary>Copies a run directory from a coordinator, file by file, resuming a file that is already partly here.</summary>
public static class RunFiles
{
    /// <summary>Downloads every file of run <paramref name="runId"/> into <paramref name="directory"/>.</summary>
    public static async Task DownloadAllAsync(ClusterApi.ClusterApiClient client, string runId, string directory, CancellationToken cancellationToken)
    {
        var files = await client.ListRunFilesAsync(new ListRunFilesRequest { RunId = runId }, cancellationToken: cancellationToken);
        foreach (var file in files.Files)
        {
            string target = Path.Combine(directory, file.Path.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            // A partial file from an interrupted copy is continued where it stopped.
            string partial = target + ".part";
            long offset = File.Exists(partial) ? new FileInfo(partial).Length : 0;
            if (offset > file.Size) offset = 0;
            await using (var stream = new FileStream(partial, offset > 0 ? FileMode.Append : FileMode.Create, FileAccess.Write))
            {
                using var call = client.DownloadRunFile(new DownloadRunFileRequest { RunId = runId, Path = file.Path, Offset = offset }, cancellationToken: cancellationToken);
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    if (chunk.Offset != stream.Position) throw new InvalidDataException($"{file.Path}: chunk at byte {chunk.Offset}, expected {stream.Position}");
                    await stream.WriteAsync(chunk.Data.Memory, cancellationToken);
                }
            }
            File.Move(partial, target, overwrite: true);
        }
    }
}
