using System.Globalization;
using System.Text.Json;
using AntiEtcd.Api;
using AntiEtcd.Client;

namespace AntiEtcd.Cli;

/// <content>load (SPEC §12.2).</content>
internal sealed partial class AnticliRunner
{
    /// <summary>The server's default <c>max_txn_ops</c>: the first batch size.</summary>
    private const int LoadBatchSize = 128;

    private const string NotADump = "dump should be /kv/txn or /kv/range response in json format";
    private const string TooManyOps = "etcdserver: too many operations in txn request";

    private async Task<int> LoadAsync(CancellationToken cancellationToken)
    {
        using var input = new MemoryStream();
        await _stdin.CopyToAsync(input, cancellationToken);
        List<PutRequest>? puts;
        string? problem;
        try
        {
            (puts, problem) = ReadDump(input.GetBuffer().AsMemory(0, (int)input.Length), _line.WithLease);
        }
        catch (JsonException)
        {
            (puts, problem) = (null, NotADump);
        }

        if (puts is null)
        {
            await _stderr.WriteLineAsync(problem);
            return 1;
        }

        int batch = LoadBatchSize;
        int loaded = 0;
        while (loaded < puts.Count)
        {
            int count = Math.Min(batch, puts.Count - loaded);
            var ops = new List<RequestOp>(count);
            for (int i = loaded; i < loaded + count; i++)
            {
                ops.Add(new RequestOp { RequestPut = puts[i] });
            }

            ApiResponse response;
            try
            {
                response = await _client.PostAsync("/v3/kv/txn", Encode(new TxnRequest { Success = ops }, ApiRequestWriter.Write), RequestKind.Write, cancellationToken);
            }
            catch (AntiEtcdClientException ex) when (ex.StatusCode == 400 && ex.ErrorMessage == TooManyOps && count > 1)
            {
                // The server allows fewer ops per txn than this batch (not executed): same puts, smaller txns.
                batch = count / 2;
                continue;
            }

            loaded += count;
            if (_line.Json)
            {
                await WriteLineAsync(response.Body, cancellationToken);
            }

            if (_stderrIsTerminal)
            {
                await _stderr.WriteAsync($"\rloaded {loaded} of {puts.Count} values");
                await _stderr.FlushAsync(cancellationToken);
            }
        }

        if (_stderrIsTerminal && puts.Count > 0)
        {
            await _stderr.WriteLineAsync();
        }

        if (!_line.Json)
        {
            await WriteLineAsync($"OK, loaded {puts.Count} values", cancellationToken);
        }

        return 0;
    }

    /// <summary>
    /// The puts of a dump: the <c>response_range</c> kvs of a txn response, or the <c>kvs</c> of a
    /// range response (a body with only a <c>header</c> is an empty range response). The last of a
    /// repeated key wins; a kv without <c>value</c> gets an empty one, unless no kv has a value.
    /// </summary>
    private static (List<PutRequest>? Puts, string? Problem) ReadDump(ReadOnlyMemory<byte> dump, bool withLease)
    {
        using var document = JsonDocument.Parse(dump);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, NotADump);
        }

        var kvs = new List<JsonElement>();
        if (root.TryGetProperty("responses", out var responses) && responses.ValueKind == JsonValueKind.Array)
        {
            foreach (var op in responses.EnumerateArray())
            {
                if (op.ValueKind == JsonValueKind.Object && op.TryGetProperty("response_range", out var range) && range.ValueKind == JsonValueKind.Object
                    && range.TryGetProperty("kvs", out var rangeKvs) && rangeKvs.ValueKind == JsonValueKind.Array)
                {
                    kvs.AddRange(rangeKvs.EnumerateArray());
                }
            }
        }
        else if (root.TryGetProperty("kvs", out var rootKvs) && rootKvs.ValueKind == JsonValueKind.Array)
        {
            kvs.AddRange(rootKvs.EnumerateArray());
        }
        else if (!root.TryGetProperty("header", out var header) || header.ValueKind != JsonValueKind.Object)
        {
            return (null, NotADump);
        }

        var latest = new Dictionary<string, int>(StringComparer.Ordinal);
        var puts = new List<PutRequest?>(kvs.Count);
        bool anyValue = false;
        foreach (var kv in kvs)
        {
            if (kv.ValueKind != JsonValueKind.Object || !kv.TryGetProperty("key", out var keyElement)
                || keyElement.ValueKind != JsonValueKind.String || !keyElement.TryGetBytesFromBase64(out var key) || key.Length == 0)
            {
                return (null, $"{NotADump}: a kv has no valid base64 key");
            }

            byte[] value = [];
            if (kv.TryGetProperty("value", out var valueElement) && valueElement.ValueKind != JsonValueKind.Null)
            {
                anyValue = true;
                if (valueElement.ValueKind != JsonValueKind.String || !valueElement.TryGetBytesFromBase64(out value!))
                {
                    return (null, $"{NotADump}: a kv has a value that is not base64");
                }
            }

            long lease = 0;
            if (withLease && kv.TryGetProperty("lease", out var leaseElement) && !TryReadInt64(leaseElement, out lease))
            {
                return (null, $"{NotADump}: a kv has a lease that is not an integer");
            }

            // The last occurrence of a key wins; its earlier puts are dropped so no txn repeats a key.
            var canonical = Convert.ToBase64String(key);
            if (latest.TryGetValue(canonical, out int earlier))
            {
                puts[earlier] = null;
            }

            latest[canonical] = puts.Count;
            puts.Add(new PutRequest { Key = key, Value = value, Lease = lease });
        }

        if (kvs.Count > 0 && !anyValue)
        {
            return (null, "dump should contain values");
        }

        var result = new List<PutRequest>(latest.Count);
        foreach (var put in puts)
        {
            if (put is not null)
            {
                result.Add(put);
            }
        }

        return (result, null);
    }

    private static bool TryReadInt64(JsonElement element, out long value)
    {
        value = 0;
        return element.ValueKind switch
        {
            JsonValueKind.Null => true,
            JsonValueKind.Number => element.TryGetInt64(out value),
            JsonValueKind.String => long.TryParse(element.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }
}
