using System.Buffers;
using System.Buffers.Text;
using System.Globalization;

namespace AntiEtcd.Api.Json;

/// <summary>
/// Standard base64 decoding with etcd's acceptance rules and error offsets (SPEC §3.3).
/// </summary>
/// <remarks>
/// etcd decodes bytes with Go's <c>base64.StdEncoding</c>: padding is required, CR and LF are
/// skipped anywhere, non-zero unused bits in the last group are accepted, and every other
/// character outside the alphabet is an error reported by its offset. The vectorised BCL decoder
/// is used first because it accepts a subset of that language (it rejects non-zero unused bits,
/// and it skips spaces, which the length check below detects); anything it refuses is decoded
/// again by the exact scalar decoder, which also finds the error offset.
/// </remarks>
internal static class EtcdBase64
{
    private const sbyte Invalid = -1;

    private static readonly sbyte[] DecodeMap = BuildDecodeMap();

    /// <summary>Decodes <paramref name="text"/> (the unescaped JSON string content).</summary>
    /// <exception cref="ApiDecodeException"><c>illegal base64 data at input byte N</c>.</exception>
    public static ReadOnlyMemory<byte> Decode(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (text.Length % 4 == 0)
        {
            int padding = text[^1] == '=' ? (text[^2] == '=' ? 2 : 1) : 0;
            int expected = (text.Length / 4 * 3) - padding;
            var output = new byte[expected];
            OperationStatus status = Base64.DecodeFromUtf8(text, output, out int consumed, out int written);

            // A shorter output means the BCL skipped white space, which etcd refuses.
            if (status == OperationStatus.Done && consumed == text.Length && written == expected)
            {
                return output;
            }
        }

        return DecodeExact(text);
    }

    /// <summary>The error of SPEC §3.6 for an offending character at <paramref name="offset"/>.</summary>
    public static ApiDecodeException Error(int offset) =>
        new(string.Create(CultureInfo.InvariantCulture, $"illegal base64 data at input byte {offset}"));

    private static byte[] DecodeExact(ReadOnlySpan<byte> text)
    {
        var output = new byte[(text.Length / 4 * 3) + 3];
        int written = 0;
        int i = 0;
        Span<int> group = stackalloc int[4];
        while (true)
        {
            int count = 0;
            int groupStart = i;
            while (count < 4)
            {
                if (i == text.Length)
                {
                    if (count == 0)
                    {
                        return output.AsSpan(0, written).ToArray();
                    }

                    // The input ends inside a group: SPEC reports where that group starts.
                    throw Error(groupStart);
                }

                byte c = text[i];
                if (c is (byte)'\r' or (byte)'\n')
                {
                    i++;
                    if (count == 0)
                    {
                        groupStart = i;
                    }

                    continue;
                }

                sbyte value = DecodeMap[c];
                if (value != Invalid)
                {
                    group[count++] = value;
                    i++;
                    continue;
                }

                if (c != '=' || count < 2)
                {
                    // Outside the alphabet, or padding in the first half of a group.
                    throw Error(i);
                }

                if (count == 2)
                {
                    // "xx=" must be followed by a second '=' (CR and LF may come between).
                    int next = SkipNewLines(text, i + 1);
                    if (next == text.Length)
                    {
                        throw Error(groupStart);
                    }

                    if (text[next] != '=')
                    {
                        throw Error(next);
                    }

                    output[written++] = (byte)((group[0] << 2) | (group[1] >> 4));
                    i = next + 1;
                }
                else
                {
                    output[written++] = (byte)((group[0] << 2) | (group[1] >> 4));
                    output[written++] = (byte)((group[1] << 4) | (group[2] >> 2));
                    i++;
                }

                // Padding ends the data: only CR and LF may follow it.
                i = SkipNewLines(text, i);
                if (i < text.Length)
                {
                    throw Error(i);
                }

                return output.AsSpan(0, written).ToArray();
            }

            output[written++] = (byte)((group[0] << 2) | (group[1] >> 4));
            output[written++] = (byte)((group[1] << 4) | (group[2] >> 2));
            output[written++] = (byte)((group[2] << 6) | group[3]);
        }
    }

    private static int SkipNewLines(ReadOnlySpan<byte> text, int i)
    {
        while (i < text.Length && text[i] is (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        return i;
    }

    private static sbyte[] BuildDecodeMap()
    {
        var map = new sbyte[256];
        map.AsSpan().Fill(Invalid);
        ReadOnlySpan<byte> alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"u8;
        for (int i = 0; i < alphabet.Length; i++)
        {
            map[alphabet[i]] = (sbyte)i;
        }

        return map;
    }
}
