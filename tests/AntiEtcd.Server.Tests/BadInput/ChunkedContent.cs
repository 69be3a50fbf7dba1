using System.Net;

namespace AntiEtcd.Server.Tests.BadInput;

/// <summary>A body of unknown length, so HttpClient sends it with <c>Transfer-Encoding: chunked</c>.</summary>
internal sealed class ChunkedContent(byte[] body) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        const int chunk = 64 * 1024;
        for (var offset = 0; offset < body.Length; offset += chunk)
        {
            await stream.WriteAsync(body.AsMemory(offset, Math.Min(chunk, body.Length - offset)));
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
