using Google.Protobuf;
using Grpc.Core;
using Api = MetaCluster.Protos.Api.V1;

namespace MetaCluster.Tests.Clients.Fakes;

/// <summary>A fake coordinator serving one run's files from memory, in chunks, from the offset asked for.</summary>
public static class FakeRunFiles
{
    /// <summary>Serves <paramref name="files"/> (path → bytes) in chunks of <paramref name="chunk"/> bytes.</summary>
    public static FakeCoordinator Serve(IReadOnlyDictionary<string, byte[]> files, int chunk = 1000) => new(call => call.Method switch
    {
        "ListRunFiles" => FakeCoordinator.Reply.Ok(Listing(files)),
        "DownloadRunFile" => Chunks(files, call.Parse(Api.DownloadRunFileRequest.Parser), chunk),
        _ => FakeCoordinator.Reply.Error(StatusCode.Unimplemented, call.Method),
    });

    private static Api.ListRunFilesResponse Listing(IReadOnlyDictionary<string, byte[]> files)
    {
        var response = new Api.ListRunFilesResponse();
        foreach (var (path, bytes) in files) response.Files.Add(new Api.RunFile { Path = path, Size = bytes.Length });
        return response;
    }

    private static FakeCoordinator.Reply Chunks(IReadOnlyDictionary<string, byte[]> files, Api.DownloadRunFileRequest request, int chunk)
    {
        if (!files.TryGetValue(request.Path, out var bytes)) return FakeCoordinator.Reply.Error(StatusCode.NotFound, request.Path);
        if (request.Offset < 0 || request.Offset > bytes.Length) return FakeCoordinator.Reply.Error(StatusCode.InvalidArgument, $"offset {request.Offset}");
        var messages = new List<IMessage>();
        long offset = request.Offset;
        do
        {
            int length = (int)Math.Min(chunk, bytes.Length - offset);
            messages.Add(new Api.FileChunk { Size = bytes.Length, Offset = offset, Data = ByteString.CopyFrom(bytes, (int)offset, length) });
            offset += length;
        }
        while (offset < bytes.Length);
        return FakeCoordinator.Reply.Ok([.. messages]);
    }
}
