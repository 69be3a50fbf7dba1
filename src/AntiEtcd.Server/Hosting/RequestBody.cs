using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace AntiEtcd.Server.Hosting;

/// <summary>A request body read into a pooled buffer, never more than the size limit (SPEC §3.2 step 4).</summary>
internal sealed class RequestBody : IDisposable
{
    private byte[] _buffer;

    private RequestBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>Reads the whole body, or throws 413 as soon as it is known to be larger than <paramref name="limit"/>.</summary>
    public static async Task<RequestBody> ReadAsync(HttpContext context, int limit)
    {
        var declared = context.Request.ContentLength;
        if (declared > limit)
        {
            RefuseTooLarge(context);
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(declared ?? 4096, limit) + 1);
        var length = 0;
        try
        {
            var stream = context.Request.Body;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        RefuseTooLarge(context);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, (long)limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    RefuseTooLarge(context);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        return new RequestBody(buffer, length);
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void RefuseTooLarge(HttpContext context)
    {
        // The rest of the body is not read, so the connection cannot be reused.
        context.Response.Headers.Connection = "close";
        throw EtcdErrors.TooLarge();
    }
}
