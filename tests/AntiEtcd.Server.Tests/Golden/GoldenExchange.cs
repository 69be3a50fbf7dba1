using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AntiEtcd.Server.Tests.Golden;

/// <summary>
/// One etcd 3.4 capture (format in <c>etcd-golden/README.md</c>): the request as recorded and the
/// response status and body. Bodies recorded as <c>&lt;base64 of N bytes 'x'&gt;</c> are expanded.
/// </summary>
internal sealed partial class GoldenExchange
{
    private const string NoTrailingNewLine = "\n<no trailing newline>";

    private GoldenExchange(string name)
    {
        Name = name;
    }

    /// <summary>Path relative to the golden directory, e.g. <c>kv/put-basic.txt</c>.</summary>
    public string Name { get; }

    /// <summary>The recorded method (some misc/ captures record POST for what was really sent otherwise).</summary>
    public string Method { get; private set; } = "";

    /// <summary>The recorded path.</summary>
    public string Path { get; private set; } = "";

    /// <summary>The recorded <c>Content-Type</c> request header, or null.</summary>
    public string? ContentType { get; private set; }

    /// <summary>The request body, placeholders expanded.</summary>
    public string RequestBody { get; private set; } = "";

    /// <summary>The final HTTP status.</summary>
    public int Status { get; private set; }

    /// <summary>The response body (for streams: the lines joined by '\n').</summary>
    public string ResponseBody { get; private set; } = "";

    /// <summary>Loads one capture.</summary>
    public static GoldenExchange Load(string name)
    {
        var text = File.ReadAllText(System.IO.Path.Combine(RepoPaths.GoldenDirectory, name), Encoding.UTF8).Replace("\r\n", "\n", StringComparison.Ordinal);
        var exchange = new GoldenExchange(name);
        const string requestMark = "### request\n";
        const string responseMark = "\n### response";
        if (!text.StartsWith(requestMark, StringComparison.Ordinal))
        {
            throw new FormatException($"{name}: no '### request' section");
        }

        var responseAt = text.IndexOf(responseMark, StringComparison.Ordinal);
        if (responseAt < 0)
        {
            throw new FormatException($"{name}: no '### response' section");
        }

        exchange.ParseRequest(text[requestMark.Length..responseAt]);
        var response = text[(responseAt + responseMark.Length)..];
        var trailersAt = response.IndexOf("\n### trailers", StringComparison.Ordinal);
        if (trailersAt >= 0)
        {
            response = response[..trailersAt];
        }

        exchange.ParseResponse(response[(response.IndexOf('\n', StringComparison.Ordinal) + 1)..]);
        return exchange;
    }

    private void ParseRequest(string section)
    {
        // request line, headers, blank line, body, "\n" (the blank line before "### response").
        var lines = section.Split('\n');
        var words = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Method = words[0];
        Path = words[1];
        var i = 1;
        for (; i < lines.Length && lines[i].Length > 0; i++)
        {
            if (lines[i].StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))
            {
                ContentType = lines[i]["Content-Type:".Length..].Trim();
            }
        }

        var body = i + 1 < lines.Length ? string.Join('\n', lines[(i + 1)..]) : "";
        if (body.EndsWith('\n'))
        {
            body = body[..^1];
        }

        RequestBody = Placeholder().Replace(body, m =>
            Convert.ToBase64String(Encoding.ASCII.GetBytes(new string(m.Groups[2].Value[0], int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)))));
    }

    private void ParseResponse(string section)
    {
        var lines = section.Split('\n');
        var i = 0;
        for (; i < lines.Length && lines[i].StartsWith("HTTP/", StringComparison.Ordinal); i++)
        {
            Status = int.Parse(lines[i].Split(' ')[1], CultureInfo.InvariantCulture);
        }

        while (i < lines.Length && lines[i].Length > 0)
        {
            i++;
        }

        var body = i + 1 < lines.Length ? string.Join('\n', lines[(i + 1)..]) : "";
        var marker = body.IndexOf(NoTrailingNewLine, StringComparison.Ordinal);
        ResponseBody = marker >= 0 ? body[..marker] : body.TrimEnd('\n');
    }

    [GeneratedRegex("<base64 of ([0-9]+) bytes '(.)'>")]
    private static partial Regex Placeholder();
}
