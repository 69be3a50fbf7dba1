using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using AntiEtcd.Api;

namespace AntiEtcd.Server.Tests;

/// <summary>
/// An auth filter for the tests (also loaded by <c>--auth_filter</c> from this assembly): refuses
/// keys under <c>secret/</c>, hides kvs and watch events under <c>hidden/</c>, refuses leases over
/// 100 s and keepalives of lease 666, throws on keys under <c>boom/</c>, and widens a range on <c>wide/</c> into two ops.
/// </summary>
public sealed class TestAuthFilter : IAuthFilter
{
    public TestAuthFilter()
    {
    }

    public TestAuthFilter(IReadOnlyDictionary<string, string> options) => Options = options;

    public IReadOnlyDictionary<string, string>? Options { get; }

    private int _initContextCalls;

    public int InitContextCalls => Volatile.Read(ref _initContextCalls);

    public AntiEtcdServer? Server { get; private set; }

    public ValueTask InitAsync(AntiEtcdServer server, CancellationToken ct)
    {
        Server = server;
        return ValueTask.CompletedTask;
    }

    public void InitContext(RequestContext context, X509Certificate2? clientCertificate)
    {
        Interlocked.Increment(ref _initContextCalls);
        context.Items["user"] = context.Username ?? "anonymous";
    }

    public bool FilterApi(RequestContext context, string api, JsonObject body) =>
        !(api == "lease_grant" && body["TTL"] is { } ttl && long.Parse(ttl.ToString(), System.Globalization.CultureInfo.InvariantCulture) > 100)
        && !(api == "lease_keepalive" && body["ID"]?.ToString() == "666");

    public TxnRequest? FilterTxn(RequestContext context, TxnRequest txn)
    {
        foreach (var op in txn.Success.Concat(txn.Failure))
        {
            var key = Encoding.UTF8.GetString((op.RequestPut?.Key ?? op.RequestRange?.Key ?? op.RequestDeleteRange?.Key ?? default).Span);
            if (key.StartsWith("secret/", StringComparison.Ordinal))
            {
                return null;
            }

            if (key.StartsWith("boom/", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("filter bug");
            }

            if (key.StartsWith("wide/", StringComparison.Ordinal))
            {
                return new TxnRequest { Success = [op, op] };
            }
        }

        return txn;
    }

    public void FilterTxnResponse(RequestContext context, TxnRequest txn, TxnResponse response)
    {
        foreach (var op in response.Responses)
        {
            if (op.ResponseRange is { } range)
            {
                range.Kvs = [.. range.Kvs.Where(kv => !Encoding.UTF8.GetString(kv.Key.Span).StartsWith("hidden/", StringComparison.Ordinal))];
            }
        }
    }

    public WatchResponse? FilterWatchMessage(RequestContext context, WatchResponse message) =>
        message.Events.Any(e => Encoding.UTF8.GetString(e.Kv.Key.Span).StartsWith("hidden/", StringComparison.Ordinal)) ? null : message;
}
