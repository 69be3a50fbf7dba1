using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AntiEtcd.Api;
using AntiEtcd.Client;

namespace AntiEtcd.Cli;

/// <content>watch (SPEC §12.2).</content>
internal sealed partial class AnticliRunner
{
    private async Task<int> WatchAsync(CancellationToken cancellationToken)
    {
        var creates = new List<WatchCreateRequest>();
        if (_line.Arguments.Count == 0)
        {
            // No key: every key.
            creates.Add(new WatchCreateRequest { Key = new byte[] { 0 }, RangeEnd = new byte[] { 0 } });
        }
        else
        {
            foreach (var argument in _line.Arguments)
            {
                var (key, rangeEnd) = KeyRange(argument);
                creates.Add(new WatchCreateRequest { Key = key, RangeEnd = rangeEnd });
            }
        }

        for (int i = 0; i < creates.Count; i++)
        {
            creates[i].WatchId = i + 1;
            creates[i].ProgressNotify = true;
            creates[i].StartRevision = _line.Revision;
        }

        var watch = new ResumableWatch(_client, creates);
        WatchEnd end;
        try
        {
            end = await watch.RunAsync(PrintWatchMessage, error => _stderr.WriteLine(error.ToString()), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C ends a watch normally.
            return 0;
        }

        if (end.Reason != WatchEndReason.Unreachable)
        {
            await _stderr.WriteLineAsync($"anticli: watch ended: {end.Description}");
        }

        return 1;
    }

    /// <summary>One JSON line per server message; without --json, keys and values of kv and prev_kv become text.</summary>
    private void PrintWatchMessage(WatchMessage message)
    {
        if (_line.Json || message.Response is null || message.Response.Events.Count == 0)
        {
            _stdout.Write(message.Json.Span);
            _stdout.WriteByte((byte)'\n');
            _stdout.Flush();
            return;
        }

        var root = JsonNode.Parse(message.Json.Span);
        if (root?["result"]?["events"] is JsonArray events)
        {
            foreach (var ev in events)
            {
                DecodeKeyValue(ev?["kv"] as JsonObject);
                DecodeKeyValue(ev?["prev_kv"] as JsonObject);
            }
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(message.Json.Length + 16);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = AntiEtcd.Api.Json.ApiJsonWriter.WriterOptions.Encoder }))
        {
            root!.WriteTo(writer);
        }

        _stdout.Write(buffer.WrittenSpan);
        _stdout.WriteByte((byte)'\n');
        _stdout.Flush();
    }

    /// <summary>base64 → UTF-8 text; invalid UTF-8 becomes U+FFFD.</summary>
    private static void DecodeKeyValue(JsonObject? kv)
    {
        if (kv is null)
        {
            return;
        }

        foreach (var name in (ReadOnlySpan<string>)["key", "value"])
        {
            if (kv[name] is JsonValue value && value.TryGetValue(out string? base64))
            {
                try
                {
                    kv[name] = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
                }
                catch (FormatException)
                {
                    // Not base64: print it as it came.
                }
            }
        }
    }
}
