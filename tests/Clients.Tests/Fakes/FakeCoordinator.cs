using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using Google.Protobuf;
using Grpc.Core;

namespace MetaCluster.Tests.Clients.Fakes;

/// <summary>
/// A coordinator inside an <see cref="HttpMessageHandler"/>: it reads the gRPC frames the client
/// sends and answers with frames built from the server's own message types (Protos), so a test sees
/// exactly what goes over the wire. An error answer is trailers-only, as a real server sends it (and
/// as the client's retry policy needs to retry it).
/// </summary>
public sealed class FakeCoordinator(Func<FakeCoordinator.Call, FakeCoordinator.Reply> answer) : HttpMessageHandler
{
    private readonly Lock gate = new();
    private readonly List<Call> calls = [];

    /// <summary>The calls received so far.</summary>
    public IReadOnlyList<Call> Calls { get { lock (gate) return [.. calls]; } }

    /// <summary>A client of this fake (token "secret", retries as in production).</summary>
    public MetaClusterClient Client(int maxAttempts = 5) =>
        new(new Uri("http://coordinator.test:7100"), new MetaClusterClientOptions { HttpHandler = this, Token = "secret", MaxAttempts = maxAttempts });

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[] body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var call = new Call(request.RequestUri!.AbsolutePath.Split('/')[^1], body.Length >= 5 ? body[5..] : [],
            request.Headers.Authorization?.ToString());
        int attempt;
        lock (gate)
        {
            calls.Add(call);
            attempt = calls.Count(c => c.Method == call.Method);
        }
        var reply = answer(call with { Attempt = attempt });
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Version = HttpVersion.Version20, RequestMessage = request };
        if (reply.Status != StatusCode.OK)
        {
            response.Content = new ByteArrayContent([]);
            response.Content.Headers.ContentType = new("application/grpc");
            response.Headers.Add("grpc-status", ((int)reply.Status).ToString(CultureInfo.InvariantCulture));
            response.Headers.Add("grpc-message", Uri.EscapeDataString(reply.Detail));
            return response;
        }
        var frames = new MemoryStream();
        foreach (var message in reply.Messages)
        {
            byte[] bytes = message.ToByteArray();
            var header = new byte[5];
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), (uint)bytes.Length);
            frames.Write(header);
            frames.Write(bytes);
        }
        response.Content = new ByteArrayContent(frames.ToArray());
        response.Content.Headers.ContentType = new("application/grpc");
        response.TrailingHeaders.Add("grpc-status", "0");
        return response;
    }

    /// <summary>One call: the method's name, the request message's bytes, the authorization header, and which call of that method it is (1, 2, …).</summary>
    public sealed record Call(string Method, byte[] Request, string? Authorization, int Attempt = 0)
    {
        /// <summary>The request decoded with the server's message type.</summary>
        public T Parse<T>(MessageParser<T> parser) where T : IMessage<T> => parser.ParseFrom(Request);
    }

    /// <summary>An answer: messages (one for a unary call, any number for a stream), or an error status.</summary>
    public sealed record Reply(StatusCode Status, string Detail, IReadOnlyList<IMessage> Messages)
    {
        /// <summary>A successful answer.</summary>
        public static Reply Ok(params IMessage[] messages) => new(StatusCode.OK, "", messages);

        /// <summary>An error answer.</summary>
        public static Reply Error(StatusCode status, string detail) => new(status, detail, []);
    }
}
