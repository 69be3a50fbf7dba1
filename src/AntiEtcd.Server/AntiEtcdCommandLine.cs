using System.Globalization;
using System.Text;

namespace AntiEtcd.Server;

/// <summary>The result of parsing an <c>antietcd</c> command line (SPEC §11.1).</summary>
/// <param name="Options">The parsed options.</param>
/// <param name="Help"><c>--help</c> or <c>-h</c> was given.</param>
/// <param name="Version"><c>--version</c> was given.</param>
/// <param name="Warnings">Warnings to print before starting: unknown and ignored options.</param>
public sealed record AntiEtcdCommandLine(AntiEtcdOptions Options, bool Help, bool Version, IReadOnlyList<string> Warnings)
{
    /// <summary>Options that take no value when followed by another option or nothing.</summary>
    private static readonly HashSet<string> s_booleanOptions =
        ["client_cert_auth", "stale_read", "use_base64", "use_locks", "merge_watches", "help", "h", "version"];

    /// <summary>Options of the original antietcd that are accepted and ignored (SPEC §11.3).</summary>
    private static readonly HashSet<string> s_ignoredOptions =
        ["use_locks", "lock_wait_timeout", "lock_wait_interval", "merge_watches", "dump_timeout", "load_timeout",
         "compact_timeout", "leadership_timeout"];

    /// <summary>Every option this version knows (SPEC §11.2), in the order of the help text.</summary>
    private static readonly (string Name, string Default, string Meaning)[] s_known =
    [
        ("port", "2379", "listen port (0 = chosen by the OS); with --cluster, default: this node's URL port"),
        ("ip", "127.0.0.1", "listen address; with --cluster, default: this node's URL host (a DNS name = all interfaces)"),
        ("cert", "", "server certificate (PEM file or PEM text)"),
        ("key", "", "server private key (PEM file or PEM text)"),
        ("ca", "", "CA for client certificates (PEM file or PEM text)"),
        ("client_cert_auth", "0", "require client certificates that chain to --ca"),
        ("peer_cert", "", "certificate presented to peers (default: --cert)"),
        ("peer_key", "", "key of --peer_cert (default: --key)"),
        ("peer_ca", "", "CA for peer certificates"),
        ("cluster_key", "", "shared secret authenticating peers (required with 2+ nodes; 16+ bytes)"),
        ("cluster_key_file", "", "file whose first line is the cluster key (instead of --cluster_key)"),
        ("node_id", "default", "this node's name (required with --cluster)"),
        ("cluster", "", "id1=url1,id2=url2,... every node of the cluster, URLs http(s)://host:port"),
        ("election_timeout", "500", "Raft election timeout, ms"),
        ("heartbeat_timeout", "100", "Raft heartbeat interval, ms"),
        ("leader_priority", "0", "leadership preference"),
        ("stale_read", "0", "serve every read from local state"),
        ("wait_quorum_timeout", "30000", "how long requests wait for readiness, ms"),
        ("forward_timeout", "5000", "outcome deadline of forwarded requests, ms"),
        ("replication_timeout", "5000", "leader's outcome deadline, ms"),
        ("reconnect_interval", "1000", "delay before reconnecting to a peer, ms"),
        ("ws_keepalive_interval", "30000", "WebSocket ping interval, ms (0 = off)"),
        ("data", "", "data directory (default: in memory)"),
        ("persist_interval", "0", "fsync batching window, ms"),
        ("snapshot_entries", "10000", "with --data: snapshot every N logged writes (at least a quarter of the key count)"),
        ("persist_filter", "", "PATH.dll:Namespace.Type of a persist filter factory"),
        ("auth_filter", "", "PATH.dll:Namespace.Type of an auth filter"),
        ("compact_revisions", "1000", "history revisions kept by automatic compaction (0 = off)"),
        ("import_antietcd", "", "original antietcd data file to import"),
        ("max_request_bytes", "2097152", "largest request body or client WebSocket message"),
        ("max_txn_ops", "128", "op budget of a txn"),
        ("max_watches_per_connection", "1000", "watches allowed on one WebSocket"),
        ("watch_progress_notify_interval", "600000", "watch progress notification interval, ms"),
        ("use_base64", "1", "only 1 is supported"),
        ("logs", "", "comma list of access, watch, cluster"),
    ];

    /// <summary>The usage text printed by <c>--help</c>: every option with its default.</summary>
    public static string Usage
    {
        get
        {
            var text = new StringBuilder();
            text.Append("Usage: antietcd [--name value | --name=value]...\n\nOptions (default in brackets):\n");
            foreach (var (name, def, meaning) in s_known)
            {
                text.Append(CultureInfo.InvariantCulture, $"  --{name,-32} {meaning}");
                if (def.Length > 0)
                {
                    text.Append(CultureInfo.InvariantCulture, $" [{def}]");
                }

                text.Append('\n');
            }

            text.Append("  --help, -h                         print this text\n  --version                          print the version\n");
            return text.ToString();
        }
    }

    /// <summary>Parses a command line (SPEC §11.1).</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <returns>The options, the help/version requests and warnings.</returns>
    /// <exception cref="ArgumentException">A usage error (exit code 2); the message says what is wrong.</exception>
    public static AntiEtcdCommandLine Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var raw = new Dictionary<string, string>(StringComparer.Ordinal);
        var given = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!IsOption(arg))
            {
                throw new ArgumentException($"unexpected argument '{arg}': options are --name value");
            }

            string name;
            string? value = null;
            if (arg == "-h")
            {
                name = "h";
            }
            else
            {
                var body = arg[2..];
                var eq = body.IndexOf('=', StringComparison.Ordinal);
                if (eq >= 0)
                {
                    value = body[(eq + 1)..];
                    body = body[..eq];
                }

                name = Normalize(body);
            }

            if (value is null)
            {
                var hasNext = i + 1 < args.Count && !IsOption(args[i + 1]);
                if (s_booleanOptions.Contains(name) && !hasNext)
                {
                    value = "1";
                }
                else if (!hasNext)
                {
                    throw new ArgumentException($"option --{name} needs a value");
                }
                else
                {
                    value = args[++i];
                }
            }

            raw[name] = value;
            if (!given.Contains(name))
            {
                given.Add(name);
            }
        }

        var options = new AntiEtcdOptions();
        var warnings = new List<string>();
        var unknown = new List<string>();
        var help = false;
        var version = false;
        foreach (var name in given)
        {
            var value = raw[name];
            switch (name)
            {
                case "help" or "h": help = ParseBool(name, value); break;
                case "version": version = ParseBool(name, value); break;
                case "port": options.Port = ParseInt(name, value, 0, 65535); break;
                case "ip": options.Ip = value; break;
                case "cert": options.Cert = value; break;
                case "key": options.Key = value; break;
                case "ca": options.Ca = value; break;
                case "client_cert_auth": options.ClientCertAuth = ParseBool(name, value); break;
                case "peer_cert": options.PeerCert = value; break;
                case "peer_key": options.PeerKey = value; break;
                case "peer_ca": options.PeerCa = value; break;
                case "cluster_key": options.ClusterKey = value; break;
                case "cluster_key_file": options.ClusterKeyFile = value; break;
                case "node_id": options.NodeId = value; break;
                case "cluster": options.Cluster = ParseCluster(value); break;
                case "election_timeout": options.ElectionTimeout = ParseInt(name, value, 0, int.MaxValue); break;
                case "heartbeat_timeout": options.HeartbeatTimeout = ParseInt(name, value, 0, int.MaxValue); break;
                case "leader_priority": options.LeaderPriority = ParseInt(name, value, 0, int.MaxValue); break;
                case "stale_read": options.StaleRead = ParseBool(name, value); break;
                case "wait_quorum_timeout": options.WaitQuorumTimeout = ParseInt(name, value, 0, int.MaxValue); break;
                case "forward_timeout": options.ForwardTimeout = ParseInt(name, value, 0, int.MaxValue); break;
                case "replication_timeout": options.ReplicationTimeout = ParseInt(name, value, 0, int.MaxValue); break;
                case "reconnect_interval": options.ReconnectInterval = ParseInt(name, value, 0, int.MaxValue); break;
                case "ws_keepalive_interval": options.WsKeepaliveInterval = ParseInt(name, value, 0, int.MaxValue); break;
                case "data": options.Data = value; break;
                case "persist_interval": options.PersistInterval = ParseInt(name, value, 0, int.MaxValue); break;
                case "persist_filter": options.PersistFilterType = value; break;
                case "snapshot_entries": options.SnapshotEntries = ParseInt(name, value, 1, int.MaxValue); break;
                case "auth_filter": options.AuthFilterType = value; break;
                case "compact_revisions": options.CompactRevisions = ParseInt(name, value, 0, int.MaxValue); break;
                case "import_antietcd": options.ImportAntietcd = value; break;
                case "max_request_bytes": options.MaxRequestBytes = ParseInt(name, value, 1, int.MaxValue); break;
                case "max_txn_ops": options.MaxTxnOps = ParseInt(name, value, 1, int.MaxValue); break;
                case "max_watches_per_connection": options.MaxWatchesPerConnection = ParseInt(name, value, 1, int.MaxValue); break;
                case "watch_progress_notify_interval": options.WatchProgressNotifyInterval = ParseInt(name, value, 0, int.MaxValue); break;
                case "use_base64": options.UseBase64 = ParseBool(name, value); break;
                case "logs": options.Logs = ParseLogs(value); break;
                case "etcd_proxy" or "etcd_cert" or "etcd_key" or "etcd_ca": options.EtcdProxyRequested = true; break;
                default:
                    if (s_ignoredOptions.Contains(name))
                    {
                        if (name is "use_locks" or "merge_watches")
                        {
                            ParseBool(name, value);
                        }

                        warnings.Add($"option --{name} is accepted for compatibility with antietcd and ignored");
                    }
                    else
                    {
                        unknown.Add(name);
                    }

                    break;
            }
        }

        if (unknown.Count > 0)
        {
            warnings.Add($"unknown options (kept for filters): --{string.Join(", --", unknown)}");
        }

        options.RawOptions = raw;
        if (!help && !version)
        {
            ValidateCluster(options);
        }

        return new AntiEtcdCommandLine(options, help, version, warnings);
    }

    /// <summary>
    /// A wrong cluster setup is a mistake in the command line, so it is reported as a usage error (exit 2)
    /// before anything starts; the server runs the same checks again for embedders.
    /// </summary>
    private static void ValidateCluster(AntiEtcdOptions options)
    {
        try
        {
            options.ValidateCluster();
        }
        catch (ArgumentException ex) when (ex.ParamName is not null)
        {
            // The message already names the option as --name; the property name is for embedders.
            throw new ArgumentException(ex.Message.Replace($" (Parameter '{ex.ParamName}')", "", StringComparison.Ordinal), ex);
        }
    }

    /// <summary>An argument is an option if it is <c>--</c> and a letter, or exactly <c>-h</c>.</summary>
    private static bool IsOption(string arg) =>
        arg == "-h" || (arg.Length > 2 && arg[0] == '-' && arg[1] == '-' && char.IsAsciiLetter(arg[2]));

    /// <summary>Option names are case-insensitive and <c>-</c> equals <c>_</c>.</summary>
    private static string Normalize(string name) => name.ToLowerInvariant().Replace('-', '_');

    internal static bool ParseBool(string name, string value) => value.ToLowerInvariant() switch
    {
        "1" or "true" or "yes" or "on" => true,
        "0" or "false" or "no" or "off" => false,
        _ => throw new ArgumentException($"option --{name} must be a boolean (1/0, true/false, yes/no, on/off), got '{value}'"),
    };

    private static int ParseInt(string name, string value, int min, int max)
    {
        var digits = value.StartsWith('-') ? value.AsSpan(1) : value.AsSpan();
        if (digits.IsEmpty || digits.ContainsAnyExceptInRange('0', '9'))
        {
            throw new ArgumentException($"option --{name} must be an integer, got '{value}'");
        }

        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            throw new ArgumentException($"option --{name} must be between {min} and {max}, got '{value}'");
        }

        return (int)number;
    }

    private static AntiEtcdLogs ParseLogs(string value)
    {
        var logs = AntiEtcdLogs.None;
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            logs |= part switch
            {
                "access" => AntiEtcdLogs.Access,
                "watch" => AntiEtcdLogs.Watch,
                "cluster" => AntiEtcdLogs.Cluster,
                _ => throw new ArgumentException($"option --logs takes a comma list of access, watch, cluster; got '{part}'"),
            };
        }

        return logs;
    }

    private static Dictionary<string, string> ParseCluster(string value)
    {
        var cluster = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ArgumentException($"option --cluster: entry '{entry}' is not id=url");
            }

            var id = entry[..eq].Trim();
            if (!cluster.TryAdd(id, entry[(eq + 1)..].Trim()))
            {
                throw new ArgumentException($"option --cluster: node id '{id}' is listed twice");
            }
        }

        return cluster;
    }
}
