using System.Text;

namespace AntiEtcd.Api.Tests;

/// <summary>
/// One exchange recorded against a real etcd 3.4 (the <c>etcd-golden</c> directory; its
/// README describes the format). Reusable by any test project: it has no dependency on the API.
/// </summary>
/// <remarks>
/// <para>
/// Format: <c>### request</c>, the request line, headers, a blank line, the exact body, a blank
/// line; then <c>### response</c>, one or more status lines (a <c>100 Continue</c> may come
/// first), headers, a blank line and the body, ended by the recorder's
/// <c>&lt;no trailing newline&gt;</c> marker when the body was captured exactly; then an
/// optional <c>### trailers</c> block. Streamed responses (watch, keepalive) have no marker:
/// their body is the rest of the section, one JSON message per line.
/// </para>
/// <para>
/// The directory is <c>$ANTIETCD_GOLDEN_DIR</c> when set, else <c>../shared/etcd-golden</c>
/// next to the repository root (the folder holding <c>AntiEtcd.slnx</c>).
/// </para>
/// </remarks>
public sealed class GoldenCapture
{
    private const string NoTrailingNewLine = "\n<no trailing newline>";

    private static readonly Lazy<string> LazyDirectory = new(FindDirectory);

    private GoldenCapture(string name)
    {
        Name = name;
    }

    /// <summary>The absolute path of the golden directory.</summary>
    /// <exception cref="DirectoryNotFoundException">It cannot be found.</exception>
    public static string Directory => LazyDirectory.Value;

    /// <summary>The file's path relative to <see cref="Directory"/>, with '/' separators, e.g. <c>kv/put-basic.txt</c>.</summary>
    public string Name { get; }

    /// <summary>The request line as recorded, e.g. <c>POST /v3/kv/put</c> (may carry a recorder's note).</summary>
    public string RequestLine { get; private set; } = "";

    /// <summary>The request method (first word of the request line).</summary>
    public string Method { get; private set; } = "";

    /// <summary>The request path (second word of the request line), e.g. <c>/v3/kv/put</c>.</summary>
    public string Path { get; private set; } = "";

    /// <summary>Request headers in order; a line without a colon has an empty value.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> RequestHeaders { get; private set; } = [];

    /// <summary>The exact request body (UTF-8).</summary>
    public byte[] RequestBody { get; private set; } = [];

    /// <summary>The request body as text.</summary>
    public string RequestText => Encoding.UTF8.GetString(RequestBody);

    /// <summary>The final status line, e.g. <c>HTTP/1.1 200 OK</c>; empty when none was captured.</summary>
    public string StatusLine { get; private set; } = "";

    /// <summary>The final HTTP status code; 0 when none was captured.</summary>
    public int StatusCode { get; private set; }

    /// <summary>Response headers in order (the recorder removed <c>Date</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders { get; private set; } = [];

    /// <summary>The response body; exact when <see cref="IsExactBody"/>, else the streamed lines joined by '\n'.</summary>
    public byte[] ResponseBody { get; private set; } = [];

    /// <summary>The response body as text.</summary>
    public string ResponseText => Encoding.UTF8.GetString(ResponseBody);

    /// <summary>True when the recorder marked the body as exact (no trailing newline).</summary>
    public bool IsExactBody { get; private set; }

    /// <summary>The response body split into non-empty lines (one message each for streams).</summary>
    public IReadOnlyList<string> ResponseLines =>
        ResponseText.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>HTTP trailers, when the server sent any.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Trailers { get; private set; } = [];

    /// <summary>The value of the first response header named <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? ResponseHeader(string name)
    {
        foreach (var header in ResponseHeaders)
        {
            if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value;
            }
        }

        return null;
    }

    /// <summary>Loads one capture, e.g. <c>Load("kv/put-basic.txt")</c>.</summary>
    public static GoldenCapture Load(string name)
    {
        string path = System.IO.Path.Combine(Directory, name);
        return Parse(File.ReadAllText(path, Encoding.UTF8), name.Replace('\\', '/'));
    }

    /// <summary>
    /// The names of every capture under <paramref name="subdirectory"/>, sorted: the <c>*.txt</c>
    /// files in the capture format (the WebSocket log <c>watch/websocket-session.txt</c> is not one).
    /// </summary>
    public static IReadOnlyList<string> List(string subdirectory = "")
    {
        string root = Directory;
        var names = new List<string>();
        foreach (string file in System.IO.Directory.EnumerateFiles(System.IO.Path.Combine(root, subdirectory), "*.txt", SearchOption.AllDirectories))
        {
            using (var reader = new StreamReader(file, Encoding.UTF8))
            {
                if (reader.ReadLine()?.StartsWith("### request", StringComparison.Ordinal) != true)
                {
                    continue;
                }
            }

            names.Add(System.IO.Path.GetRelativePath(root, file).Replace('\\', '/'));
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>Parses the text of one capture file.</summary>
    /// <exception cref="FormatException">The text is not in the capture format.</exception>
    public static GoldenCapture Parse(string text, string name)
    {
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        var capture = new GoldenCapture(name);
        if (!text.StartsWith("### request", StringComparison.Ordinal))
        {
            throw new FormatException($"{name}: does not start with '### request'");
        }

        int responseAt = text.IndexOf("\n### response", StringComparison.Ordinal);
        if (responseAt < 0)
        {
            throw new FormatException($"{name}: no '### response' section");
        }

        capture.ParseRequest(text[(text.IndexOf('\n', StringComparison.Ordinal) + 1)..(responseAt + 1)]);

        string response = text[(responseAt + 1)..];
        int trailersAt = response.IndexOf("\n### trailers", StringComparison.Ordinal);
        if (trailersAt >= 0)
        {
            capture.Trailers = ParseHeaders(response[(response.IndexOf('\n', trailersAt + 1) + 1)..].Split('\n'));
            response = response[..trailersAt];
        }

        // Skip the "### response" line itself (it may carry a recorder's note).
        int firstLineEnd = response.IndexOf('\n', StringComparison.Ordinal);
        capture.ParseResponse(firstLineEnd < 0 ? "" : response[(firstLineEnd + 1)..]);
        return capture;
    }

    private void ParseRequest(string section)
    {
        // section = request line, headers, "\n\n", body, "\n" (or no blank line and no body).
        int lineEnd = section.IndexOf('\n', StringComparison.Ordinal);
        RequestLine = lineEnd < 0 ? section : section[..lineEnd];
        string[] words = RequestLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Method = words.Length > 0 ? words[0] : "";
        Path = words.Length > 1 ? words[1] : "";
        string rest = lineEnd < 0 ? "" : section[(lineEnd + 1)..];
        int blank = rest.StartsWith('\n') ? 0 : rest.IndexOf("\n\n", StringComparison.Ordinal);
        if (blank < 0)
        {
            RequestHeaders = ParseHeaders(rest.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            return;
        }

        RequestHeaders = ParseHeaders(rest[..blank].Split('\n', StringSplitOptions.RemoveEmptyEntries));
        // The body is followed by a blank line before "### response".
        string body = rest[(blank == 0 ? 1 : blank + 2)..];
        body = body.EndsWith("\n\n", StringComparison.Ordinal) ? body[..^2] : body.TrimEnd('\n');

        RequestBody = Encoding.UTF8.GetBytes(body);
    }

    private void ParseResponse(string section)
    {
        // section = status line(s), headers, "\n\n", body [+ marker].
        string[] lines = section.Split('\n');
        int i = 0;
        while (i < lines.Length && lines[i].StartsWith("HTTP/", StringComparison.Ordinal))
        {
            StatusLine = lines[i];
            i++;

            // An interim "100 Continue" is followed by a blank line, then the final status.
            if (i + 1 < lines.Length && lines[i].Length == 0 && lines[i + 1].StartsWith("HTTP/", StringComparison.Ordinal))
            {
                i++;
            }
        }

        if (StatusLine.Length > 0)
        {
            string[] words = StatusLine.Split(' ');
            StatusCode = words.Length > 1 && int.TryParse(words[1], System.Globalization.CultureInfo.InvariantCulture, out int code) ? code : 0;
        }

        int headersStart = i;
        while (i < lines.Length && lines[i].Length > 0)
        {
            i++;
        }

        ResponseHeaders = ParseHeaders(lines[headersStart..i]);
        string body = i + 1 < lines.Length ? string.Join('\n', lines[(i + 1)..]) : "";
        int marker = body.IndexOf(NoTrailingNewLine, StringComparison.Ordinal);
        if (marker >= 0)
        {
            IsExactBody = true;
            body = body[..marker];
        }
        else
        {
            body = body.TrimEnd('\n');
        }

        ResponseBody = Encoding.UTF8.GetBytes(body);
    }

    private static List<KeyValuePair<string, string>> ParseHeaders(IEnumerable<string> lines)
    {
        var headers = new List<KeyValuePair<string, string>>();
        foreach (string line in lines)
        {
            if (line.Length == 0)
            {
                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add(colon < 0
                ? new KeyValuePair<string, string>(line, "")
                : new KeyValuePair<string, string>(line[..colon], line[(colon + 1)..].Trim()));
        }

        return headers;
    }

    private static string FindDirectory()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("ANTIETCD_GOLDEN_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return System.IO.Directory.Exists(fromEnvironment)
                ? System.IO.Path.GetFullPath(fromEnvironment)
                : throw new DirectoryNotFoundException($"ANTIETCD_GOLDEN_DIR={fromEnvironment} does not exist");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "AntiEtcd.slnx")))
            {
                string candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "etcd-golden"));
                if (System.IO.Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException(
            "etcd-golden not found: set ANTIETCD_GOLDEN_DIR, or place it at ../shared/etcd-golden next to the repository root");
    }
}
