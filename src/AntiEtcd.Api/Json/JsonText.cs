using System.Buffers;
using System.Text;
using System.Text.Json;

namespace AntiEtcd.Api.Json;

/// <summary>
/// Writes text values (messages, cancel reasons, status strings) with Go's escaping, whatever
/// encoder the caller's <see cref="Utf8JsonWriter"/> was created with.
/// </summary>
/// <remarks>
/// The BCL's default encoder writes <c>"</c> as <c>\u0022</c> and <c>+</c> as <c>\u002B</c>;
/// etcd (Go <c>encoding/json</c>) writes <c>\"</c>, leaves <c>+</c> alone, and escapes only
/// <c>"</c>, <c>\</c>, control characters, <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c>, U+2028 and
/// U+2029. Error bodies such as <c>unknown value \"X\" for enum …</c> must match byte for byte.
/// Invalid UTF-16 becomes U+FFFD, as Go does for invalid UTF-8.
/// </remarks>
internal static class JsonText
{
    private const int StackLimit = 256;

    public static void WriteValue(Utf8JsonWriter writer, string value)
    {
        // Worst case: every UTF-16 unit becomes a 6-byte \uXXXX escape; plus the quotes.
        int max = (value.Length * 6) + 2;
        byte[]? rented = null;
        Span<byte> buffer = max <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int length = Escape(value, buffer);
            writer.WriteRawValue(buffer[..length], skipInputValidation: true);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int Escape(string value, Span<byte> output)
    {
        ReadOnlySpan<byte> hex = "0123456789abcdef"u8;
        int o = 0;
        output[o++] = (byte)'"';
        int i = 0;
        while (i < value.Length)
        {
            char c = value[i];
            if (c < 0x80)
            {
                switch (c)
                {
                    case '"':
                    case '\\':
                        output[o++] = (byte)'\\';
                        output[o++] = (byte)c;
                        break;
                    case '\n':
                        output[o++] = (byte)'\\';
                        output[o++] = (byte)'n';
                        break;
                    case '\r':
                        output[o++] = (byte)'\\';
                        output[o++] = (byte)'r';
                        break;
                    case '\t':
                        output[o++] = (byte)'\\';
                        output[o++] = (byte)'t';
                        break;
                    case < ' ' or '<' or '>' or '&':
                        output[o++] = (byte)'\\';
                        output[o++] = (byte)'u';
                        output[o++] = (byte)'0';
                        output[o++] = (byte)'0';
                        output[o++] = hex[c >> 4];
                        output[o++] = hex[c & 0xF];
                        break;
                    default:
                        output[o++] = (byte)c;
                        break;
                }

                i++;
                continue;
            }

            if (c is '\u2028' or '\u2029')
            {
                output[o++] = (byte)'\\';
                output[o++] = (byte)'u';
                output[o++] = (byte)'2';
                output[o++] = (byte)'0';
                output[o++] = (byte)'2';
                output[o++] = hex[c & 0xF];
                i++;
                continue;
            }

            // Rune.DecodeFromUtf16 yields U+FFFD for a lone surrogate, consuming one unit.
            Rune.DecodeFromUtf16(value.AsSpan(i), out Rune rune, out int consumed);
            o += rune.EncodeToUtf8(output[o..]);
            i += consumed;
        }

        output[o++] = (byte)'"';
        return o;
    }
}
