namespace AntiEtcd.Cli;

/// <summary>The <c>--help</c> texts: the general one and one per command (SPEC §12.1).</summary>
internal static class AnticliUsage
{
    private const string Options = """
        Options (anywhere on the line; "--" ends them; "-" and "_" are the same in long names):
          -e, --endpoints URL[,URL...]  endpoints, tried in order from the one that last worked
                                        (default http://127.0.0.1:2379)
          --cert FILE --key FILE        client certificate and key (PEM)
          --ca FILE                     CA that server certificates must chain to (PEM)
          --timeout MS                  timeout of one attempt on one endpoint (default 10000)
          --json, -w json, --write-out json, --write-out=json
                                        print the server's JSON responses
          -h, --help                    this help; "anticli <command> --help" for one command

        Exit codes: 0 success, 1 a request failed (or every endpoint did, or a watch was
        compacted), 2 usage error. Errors go to stderr as "<url>: <message>".
        """;

    private const string Put = """
        anticli [OPTIONS] put <key> [<value>] [--lease ID]
          Puts one key. Without <value>, the value is all of stdin, as raw bytes.
          --lease ID     attach the key to a lease (decimal, or hexadecimal with 0x)
          Prints OK; with --json, the response.
        """;

    private const string Get = """
        anticli [OPTIONS] get <key> [<key>...] [-p|--prefix] [-v|--print-value-only] [-k|--keys-only] [--no-temp] [--revision REV]
          Reads keys in one txn and prints each key and value as raw bytes, each followed by a newline.
          -p, --prefix            every key under <key>/ (trailing slashes removed; "" means all keys)
          -v, --print-value-only  values only
          -k, --keys-only         keys only (asks the server for keys only)
          --no-temp               skip keys that have a lease
          --revision REV          read the store as it was at revision REV
          With --json: the range response for one key, the txn response for several.
        """;

    private const string Del = """
        anticli [OPTIONS] del <key> [<key>...] [-p|--prefix]
          Deletes keys in one txn and prints the number deleted for each, one per line.
          -p, --prefix    every key under <key>/
        """;

    private const string Watch = """
        anticli [OPTIONS] watch [<key>...] [-p|--prefix] [--revision REV]
          Watches the keys (all keys when none is given) over ws(s)://<endpoint>/v3/watch and prints
          each server message as one JSON line, with keys and values of kv and prev_kv as text
          (--json: unchanged, base64). After a lost connection it reconnects to the next endpoint
          after 1 s and resumes each watch after its last confirmed revision, so no event is lost.
          -p, --prefix      every key under <key>/
          --revision REV    replay events from revision REV
          Ctrl-C exits 0; a compacted cancellation exits 1.
        """;

    private const string Load = """
        anticli [OPTIONS] load [--with-lease] < dump.json
          Loads a dump: a /v3/kv/txn response (its response_range kvs) or a /v3/kv/range response
          (its kvs), e.g. the output of "get --prefix '' --json". Puts are sent in txns of at most
          128 (fewer if the server allows fewer), so a large load is not atomic; the last of a
          repeated key wins. Prints "OK, loaded N values"; with --json, each txn response.
          --with-lease    keep each kv's lease (the lease must exist)
        """;

    private const string Status = """
        anticli [OPTIONS] status
          Asks every endpoint for its status and prints one line per endpoint; with --json, one
          status object per line. Exits 1 if any endpoint failed.
        """;

    private const string Lease = """
        anticli [OPTIONS] lease grant <ttl> [--id ID]
          Grants a lease of <ttl> seconds: "lease <ID> granted with TTL(<TTL>s)".
        anticli [OPTIONS] lease revoke <id>
          Revokes a lease and deletes its keys: "lease <ID> revoked".
        anticli [OPTIONS] lease keepalive <id> [--once]
          Renews the lease every max(1, TTL/3) s: "lease <ID> keepalived with TTL(<TTL>)".
          Exits 1 with "lease <ID> expired or revoked" when the lease is gone; Ctrl-C exits 0.
          --once    renew once
        anticli [OPTIONS] lease list
          Prints the ID of every lease, one per line.
          IDs are read as decimal (hexadecimal with 0x) and printed in decimal.
        """;

    /// <summary>The help for <paramref name="command"/>, or the general help when it is null or unknown.</summary>
    public static string For(string? command)
    {
        string body = command switch
        {
            "put" => Put,
            "get" => Get,
            "del" => Del,
            "watch" => Watch,
            "load" => Load,
            "status" => Status,
            "lease" => Lease,
            _ => null!,
        };
        if (body is null)
        {
            return "anticli: the command-line client of AntiEtcd (etcd v3 JSON gateway)\n\nUsage:\n"
                + string.Join('\n', Put, Get, Del, Watch, Load, Status, Lease) + "\n\n" + Options + "\n";
        }

        return "Usage:\n" + body + "\n\n" + Options + "\n";
    }
}
