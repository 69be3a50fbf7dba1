using System.Net;
using System.Net.Http.Headers;

namespace AntiEtcd.Client;

/// <summary>
/// A JSON request body that records whether HttpClient began to send it. Until it has, the server
/// cannot have received the request, so a failure before that point means "surely not executed"
/// whatever the exception type (refused, DNS, TLS handshake, connect timeout).
/// </summary>
internal sealed class SendTrackingContent : HttpContent
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private readonly ReadOnlyMemory<byte> _body;
    private int _started;

    public SendTrackingContent(ReadOnlyMemory<byte> body)
    {
        _body = body;
        Headers.ContentType = JsonType;
    }

    /// <summary>True once any attempt to write the body has begun (also one HttpClient retried internally).</summary>
    public bool Started => Volatile.Read(ref _started) != 0;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _started, 1);
        await stream.WriteAsync(_body, cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _body.Length;
        return true;
    }
}
