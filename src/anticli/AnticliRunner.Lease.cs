using System.Globalization;
using AntiEtcd.Api;
using AntiEtcd.Client;

namespace AntiEtcd.Cli;

/// <content>lease grant, revoke, keepalive and list (SPEC §12.2).</content>
internal sealed partial class AnticliRunner
{
    private async Task<int> LeaseGrantAsync(CancellationToken cancellationToken)
    {
        var request = new LeaseGrantRequest { Ttl = _line.Ttl, Id = _line.LeaseId };
        var response = await _client.PostAsync("/v3/lease/grant", Encode(request, ApiRequestWriter.Write), RequestKind.Write, cancellationToken);
        if (_line.Json)
        {
            await WriteLineAsync(response.Body, cancellationToken);
            return 0;
        }

        var granted = ApiResponseReader.ReadLeaseGrantResponse(response.Body);
        await WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"lease {granted.Id} granted with TTL({granted.Ttl}s)"), cancellationToken);
        return 0;
    }

    private async Task<int> LeaseRevokeAsync(CancellationToken cancellationToken)
    {
        long id = _line.TargetLeaseId;
        var response = await _client.PostAsync("/v3/lease/revoke", Encode(new LeaseRevokeRequest { Id = id }, ApiRequestWriter.Write), RequestKind.Write, cancellationToken);
        await (_line.Json
            ? WriteLineAsync(response.Body, cancellationToken)
            : WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"lease {id} revoked"), cancellationToken));
        return 0;
    }

    private async Task<int> LeaseKeepAliveAsync(CancellationToken cancellationToken)
    {
        long id = _line.TargetLeaseId;
        var body = Encode(new LeaseKeepAliveRequest { Id = id }, ApiRequestWriter.Write);
        try
        {
            while (true)
            {
                var response = await _client.PostAsync("/v3/lease/keepalive", body, RequestKind.Read, cancellationToken);
                var renewed = ApiResponseReader.ReadLeaseKeepAliveResponse(response.Body);
                if (_line.Json)
                {
                    await WriteLineAsync(response.Body, cancellationToken);
                }

                if (renewed.Ttl <= 0)
                {
                    // TTL 0 (left out) always means the lease is gone (SPEC §5.3).
                    await _stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"lease {id} expired or revoked"));
                    return 1;
                }

                if (!_line.Json)
                {
                    await WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"lease {id} keepalived with TTL({renewed.Ttl})"), cancellationToken);
                }

                await _stdout.FlushAsync(cancellationToken);
                if (_line.Once)
                {
                    return 0;
                }

                // SPEC §12.2: every max(1, TTL/3) s, in fractions of a second too (TTL 5: every 1.67 s, not every 1 s).
                await Task.Delay(TimeSpan.FromSeconds(Math.Max(1.0, renewed.Ttl / 3.0)), _client.Options.TimeProvider, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C ends keepalive normally.
            return 0;
        }
    }

    private async Task<int> LeaseListAsync(CancellationToken cancellationToken)
    {
        var response = await _client.PostAsync("/v3/lease/leases", AntiEtcdClient.EmptyBody, RequestKind.Read, cancellationToken);
        if (_line.Json)
        {
            await WriteLineAsync(response.Body, cancellationToken);
            return 0;
        }

        foreach (var lease in ApiResponseReader.ReadLeaseLeasesResponse(response.Body).Leases)
        {
            await WriteLineAsync(lease.Id.ToString(CultureInfo.InvariantCulture), cancellationToken);
        }

        return 0;
    }
}
