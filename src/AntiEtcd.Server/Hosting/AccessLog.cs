using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace AntiEtcd.Server.Hosting;

/// <summary>The <c>access</c> log line of SPEC §11.5.</summary>
internal static class AccessLog
{
    private const int MaxBody = 4096;

    /// <summary>
    /// <c>&lt;time&gt; &lt;address&gt; &lt;METHOD&gt; &lt;path?query&gt; &lt;status&gt; &lt;ms&gt;ms</c>, then the request and
    /// response bodies on lines indented by four spaces.
    /// </summary>
    public static string Format(TimeProvider time, HttpContext context, int status, TimeSpan elapsed, RequestBody? body, ReadOnlySpan<byte> response)
    {
        var request = context.Request;
        var text = new StringBuilder(256);
        text.Append(Timestamp(time))
            .Append(' ').Append(ClientAddress(context))
            .Append(' ').Append(request.Method)
            .Append(' ').Append(request.Path.Value).Append(request.QueryString.Value)
            .Append(' ').Append(status)
            .Append(' ').Append(((long)elapsed.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)).Append("ms");
        AppendBody(text, body is null ? default : body.Memory.Span);
        AppendBody(text, response);
        return text.ToString();
    }

    /// <summary>
    /// A WebSocket message line: <c>&lt;time&gt; &lt;address&gt; -&gt; &lt;json&gt;</c> for one a client sent (<c>access</c>),
    /// <c>&lt;-</c> for one the server sent (<c>watch</c>). The message is a body as SPEC §11.5 means it: cut after 4096
    /// bytes and kept on its one line (a client's message may be any text, newlines included).
    /// </summary>
    public static string MessageLine(TimeProvider time, HttpContext context, bool incoming, ReadOnlySpan<byte> json)
    {
        var text = new StringBuilder(64 + Math.Min(json.Length, MaxBody));
        text.Append(Timestamp(time)).Append(' ').Append(ClientAddress(context)).Append(incoming ? " -> " : " <- ");
        AppendShown(text, json);
        return text.ToString();
    }

    /// <summary>
    /// The first <c>X-Forwarded-For</c> entry, or the socket's address: the client address of every access and watch
    /// log line (SPEC §11.5), and used nowhere else.
    /// </summary>
    public static string ClientAddress(HttpContext context)
    {
        var forwarded = context.Request.Headers["X-Forwarded-For"].ToString();
        if (forwarded.Length > 0)
        {
            var comma = forwarded.IndexOf(',', StringComparison.Ordinal);
            return (comma < 0 ? forwarded : forwarded[..comma]).Trim();
        }

        return context.Connection.RemoteIpAddress?.ToString() ?? "-";
    }

    private static string Timestamp(TimeProvider time) =>
        time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static void AppendBody(StringBuilder text, ReadOnlySpan<byte> body) => AppendShown(text.Append("\n    "), body);

    /// <summary>A body as the logs show it: at most <see cref="MaxBody"/> bytes, then its length; CR and LF escaped.</summary>
    private static void AppendShown(StringBuilder text, ReadOnlySpan<byte> body)
    {
        var shown = body.Length > MaxBody ? body[..MaxBody] : body;
        text.Append(Encoding.UTF8.GetString(shown).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal));
        if (body.Length > MaxBody)
        {
            text.Append(CultureInfo.InvariantCulture, $"…({body.Length} bytes)");
        }
    }
}
