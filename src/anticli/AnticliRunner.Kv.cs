using System.Text.Json.Nodes;
using AntiEtcd.Api;
using AntiEtcd.Client;

namespace AntiEtcd.Cli;

/// <content>put, get and del (SPEC §12.2).</content>
internal sealed partial class AnticliRunner
{
    private async Task<int> PutAsync(CancellationToken cancellationToken)
    {
        var (key, _) = KeyRange(_line.Arguments[0]);
        byte[] value;
        if (_line.Arguments.Count > 1)
        {
            value = System.Text.Encoding.UTF8.GetBytes(_line.Arguments[1]);
        }
        else
        {
            // All of stdin, as raw bytes: binary values round-trip (SPEC §14.1 item 1).
            using var buffer = new MemoryStream();
            await _stdin.CopyToAsync(buffer, cancellationToken);
            value = buffer.ToArray();
        }

        var request = new PutRequest { Key = key, Value = value, Lease = _line.Lease };
        var response = await _client.PostAsync("/v3/kv/put", Encode(request, ApiRequestWriter.Write), RequestKind.Write, cancellationToken);
        await (_line.Json ? WriteLineAsync(response.Body, cancellationToken) : WriteLineAsync("OK", cancellationToken));
        return 0;
    }

    private async Task<int> GetAsync(CancellationToken cancellationToken)
    {
        var ops = new List<RequestOp>(_line.Arguments.Count);
        foreach (var argument in _line.Arguments)
        {
            var (key, rangeEnd) = KeyRange(argument);
            ops.Add(new RequestOp { RequestRange = new RangeRequest { Key = key, RangeEnd = rangeEnd, KeysOnly = _line.KeysOnly, Revision = _line.Revision } });
        }

        var txn = new TxnRequest { Success = ops };
        var response = await _client.PostAsync("/v3/kv/txn", Encode(txn, ApiRequestWriter.Write), RequestKind.Read, cancellationToken);
        if (_line.Json)
        {
            await WriteGetJsonAsync(response.Body, cancellationToken);
            return 0;
        }

        var decoded = ApiResponseReader.ReadTxnResponse(response.Body);
        foreach (var op in decoded.Responses)
        {
            if (op.ResponseRange is null)
            {
                continue;
            }

            foreach (var kv in op.ResponseRange.Kvs)
            {
                if (_line.NoTemp && kv.Lease != 0)
                {
                    continue;
                }

                if (!_line.PrintValueOnly)
                {
                    await WriteLineAsync(kv.Key, cancellationToken);
                }

                if (!_line.KeysOnly)
                {
                    await WriteLineAsync(kv.Value, cancellationToken);
                }
            }
        }

        return 0;
    }

    /// <summary>
    /// The range response for one key, or the whole txn response; <c>--no-temp</c> also removes
    /// leased kvs from it. Otherwise the server's bytes are printed unchanged.
    /// </summary>
    private async Task WriteGetJsonAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (_line.Arguments.Count > 1 && !_line.NoTemp)
        {
            await WriteLineAsync(body, cancellationToken);
            return;
        }

        var root = JsonNode.Parse(body.Span) ?? throw new FormatException("empty response");
        var responses = root["responses"] as JsonArray;
        if (_line.NoTemp && responses is not null)
        {
            foreach (var op in responses)
            {
                if (op?["response_range"] is JsonObject range && range["kvs"] is JsonArray kvs)
                {
                    for (int i = kvs.Count - 1; i >= 0; i--)
                    {
                        if (kvs[i]?["lease"] is JsonValue lease && lease.ToString() != "0")
                        {
                            kvs.RemoveAt(i);
                        }
                    }

                    if (kvs.Count == 0)
                    {
                        // An empty list is left out, as the server does (SPEC §3.4).
                        range.Remove("kvs");
                    }
                }
            }
        }

        if (_line.Arguments.Count == 1)
        {
            var range = responses is { Count: > 0 } ? responses[0]?["response_range"] : null;
            await WriteJsonLineAsync(range?.DeepClone() ?? new JsonObject(), cancellationToken);
            return;
        }

        await WriteJsonLineAsync(root, cancellationToken);
    }

    private async Task<int> DeleteAsync(CancellationToken cancellationToken)
    {
        var ops = new List<RequestOp>(_line.Arguments.Count);
        foreach (var argument in _line.Arguments)
        {
            var (key, rangeEnd) = KeyRange(argument);
            ops.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = key, RangeEnd = rangeEnd } });
        }

        var txn = new TxnRequest { Success = ops };
        var response = await _client.PostAsync("/v3/kv/txn", Encode(txn, ApiRequestWriter.Write), RequestKind.Write, cancellationToken);
        if (_line.Json)
        {
            await WriteLineAsync(response.Body, cancellationToken);
            return 0;
        }

        var decoded = ApiResponseReader.ReadTxnResponse(response.Body);
        foreach (var op in decoded.Responses)
        {
            if (op.ResponseDeleteRange is not null)
            {
                await WriteLineAsync(op.ResponseDeleteRange.Deleted.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
            }
        }

        return 0;
    }
}
