namespace AntiEtcd.Server.Tests;

/// <summary>SPEC §11.1: the antietcd command-line syntax.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void Name_value_and_equals_forms_and_normalized_names()
    {
        var line = AntiEtcdCommandLine.Parse(["--port", "1234", "--IP=0.0.0.0", "--max-request-bytes", "100", "--Stale_Read"]);
        Assert.Equal(1234, line.Options.Port);
        Assert.Equal("0.0.0.0", line.Options.Ip);
        Assert.Equal(100, line.Options.MaxRequestBytes);
        Assert.True(line.Options.StaleRead);
    }

    [Fact]
    public void A_value_may_start_with_a_dash_and_keeps_its_case()
    {
        var line = AntiEtcdCommandLine.Parse(["--cert", "-----BEGIN CERTIFICATE-----", "--node_id", "NodeA"]);
        Assert.Equal("-----BEGIN CERTIFICATE-----", line.Options.Cert);
        Assert.Equal("NodeA", line.Options.NodeId);
    }

    [Theory]
    [InlineData("0", false)]
    [InlineData("off", false)]
    [InlineData("NO", false)]
    [InlineData("1", true)]
    [InlineData("Yes", true)]
    [InlineData("on", true)]
    public void Booleans_take_a_value_when_one_follows(string value, bool expected)
    {
        Assert.Equal(expected, AntiEtcdCommandLine.Parse(["--client_cert_auth", value]).Options.ClientCertAuth);
    }

    [Fact]
    public void A_boolean_followed_by_an_option_is_true()
    {
        var line = AntiEtcdCommandLine.Parse(["--stale_read", "--port", "5"]);
        Assert.True(line.Options.StaleRead);
        Assert.Equal(5, line.Options.Port);
    }

    [Theory]
    [InlineData("--port")]
    [InlineData("--port", "x")]
    [InlineData("--port", "65536")]
    [InlineData("--port", "-1")]
    [InlineData("--max_txn_ops", "0")]
    [InlineData("--election_timeout", "1.5")]
    [InlineData("--stale_read", "maybe")]
    [InlineData("--logs", "access,everything")]
    [InlineData("positional")]
    [InlineData("--port", "1", "extra")]
    public void Usage_errors(params string[] args)
    {
        Assert.Throws<ArgumentException>(() => AntiEtcdCommandLine.Parse(args));
    }

    [Fact]
    public void Every_option_of_the_table_reaches_its_own_property()
    {
        // Distinct values, so an option wired to the wrong property (or not at all) shows.
        var o = AntiEtcdCommandLine.Parse([
            "--cert", "c.pem", "--key", "k.pem", "--ca", "ca.pem", "--client_cert_auth", "1",
            "--peer_cert", "pc.pem", "--peer_key", "pk.pem", "--peer_ca", "pca.pem",
            "--cluster_key_file", "key.txt", "--election_timeout", "701", "--heartbeat_timeout", "102", "--leader_priority", "3",
            "--wait_quorum_timeout", "30001", "--forward_timeout", "5002", "--replication_timeout", "5003", "--reconnect_interval", "1004",
            "--ws_keepalive_interval", "30005", "--data", "/var/lib/x", "--persist_interval", "6", "--persist_filter", "f.dll:N.T",
            "--snapshot_entries", "7", "--auth_filter", "a.dll:N.A", "--compact_revisions", "8", "--import_antietcd", "old.json.gz",
            "--max_request_bytes", "9", "--max_txn_ops", "10", "--max_watches_per_connection", "11",
            "--watch_progress_notify_interval", "12", "--use_base64", "1", "--logs", "watch",
        ]).Options;
        Assert.Equal(("c.pem", "k.pem", "ca.pem", true), (o.Cert, o.Key, o.Ca, o.ClientCertAuth));
        Assert.Equal(("pc.pem", "pk.pem", "pca.pem", "key.txt"), (o.PeerCert, o.PeerKey, o.PeerCa, o.ClusterKeyFile));
        Assert.Equal((701, 102, 3), (o.ElectionTimeout, o.HeartbeatTimeout, o.LeaderPriority));
        Assert.Equal((30001, 5002, 5003, 1004, 30005), (o.WaitQuorumTimeout, o.ForwardTimeout, o.ReplicationTimeout, o.ReconnectInterval, o.WsKeepaliveInterval));
        Assert.Equal(("/var/lib/x", 6, "f.dll:N.T", 7), (o.Data, o.PersistInterval, o.PersistFilterType, o.SnapshotEntries));
        Assert.Equal(("a.dll:N.A", 8, "old.json.gz"), (o.AuthFilterType, o.CompactRevisions, o.ImportAntietcd));
        Assert.Equal((9, 10, 11, 12), (o.MaxRequestBytes, o.MaxTxnOps, o.MaxWatchesPerConnection, o.WatchProgressNotifyInterval));
        Assert.True(o.UseBase64);
        Assert.Equal(AntiEtcdLogs.Watch, o.Logs);
        Assert.Null(o.PersistFilter);
        Assert.Null(o.AuthFilter);
    }

    [Fact]
    public void Every_option_of_the_table_has_its_spec_default_in_the_options_and_in_the_help()
    {
        // SPEC §11.2, row by row: the option, its default as the help shows it (null: none), and the parsed value.
        var o = AntiEtcdCommandLine.Parse([]).Options;
        (string Name, string? Default, object? Value)[] table =
        [
            ("port", "2379", o.Port), ("ip", "127.0.0.1", o.Ip), ("cert", null, o.Cert), ("key", null, o.Key), ("ca", null, o.Ca),
            ("client_cert_auth", "0", o.ClientCertAuth ? "1" : "0"), ("peer_cert", null, o.PeerCert), ("peer_key", null, o.PeerKey),
            ("peer_ca", null, o.PeerCa), ("cluster_key", null, o.ClusterKey), ("cluster_key_file", null, o.ClusterKeyFile),
            ("node_id", "default", o.NodeId), ("cluster", null, o.Cluster), ("election_timeout", "500", o.ElectionTimeout),
            ("heartbeat_timeout", "100", o.HeartbeatTimeout), ("leader_priority", "0", o.LeaderPriority),
            ("stale_read", "0", o.StaleRead ? "1" : "0"), ("wait_quorum_timeout", "30000", o.WaitQuorumTimeout),
            ("forward_timeout", "5000", o.ForwardTimeout), ("replication_timeout", "5000", o.ReplicationTimeout),
            ("reconnect_interval", "1000", o.ReconnectInterval), ("ws_keepalive_interval", "30000", o.WsKeepaliveInterval),
            ("data", null, o.Data), ("persist_interval", "0", o.PersistInterval), ("persist_filter", null, o.PersistFilterType),
            ("auth_filter", null, o.AuthFilterType), ("compact_revisions", "1000", o.CompactRevisions),
            ("import_antietcd", null, o.ImportAntietcd), ("max_request_bytes", "2097152", o.MaxRequestBytes),
            ("max_txn_ops", "128", o.MaxTxnOps), ("max_watches_per_connection", "1000", o.MaxWatchesPerConnection),
            ("watch_progress_notify_interval", "600000", o.WatchProgressNotifyInterval), ("use_base64", "1", o.UseBase64 ? "1" : "0"),
            ("logs", null, o.Logs == AntiEtcdLogs.None ? null : o.Logs),
        ];
        var help = AntiEtcdCommandLine.Usage.Split('\n');
        foreach (var (name, def, value) in table)
        {
            Assert.Equal(def, value is null ? null : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
            var line = Assert.Single(help, l => l.StartsWith($"  --{name} ", StringComparison.Ordinal));
            if (def is null)
            {
                Assert.DoesNotMatch(@"\[[^\]]*\]$", line);
            }
            else
            {
                Assert.EndsWith($" [{def}]", line, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData("--max_request_bytes", "0")]
    [InlineData("--max_request_bytes", "2147483648")]
    [InlineData("--max_watches_per_connection", "0")]
    [InlineData("--snapshot_entries", "0")]
    [InlineData("--ws_keepalive_interval", "-1")]
    [InlineData("--persist_interval", "1e3")]
    [InlineData("--compact_revisions", "2147483648")]
    [InlineData("--watch_progress_notify_interval", "")]
    [InlineData("--use_base64", "2")]
    [InlineData("--client_cert_auth", "maybe")]
    public void Integer_and_boolean_options_outside_their_range_are_usage_errors(string option, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => AntiEtcdCommandLine.Parse([option, value]));
        Assert.Contains(option.TrimStart('-'), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--max_request_bytes", "1")]
    [InlineData("--max_request_bytes", "2147483647")]
    [InlineData("--ws_keepalive_interval", "0")]
    [InlineData("--compact_revisions", "0")]
    [InlineData("--persist_interval", "2147483647")]
    public void Range_bounds_are_accepted(string option, string value)
    {
        var options = AntiEtcdCommandLine.Parse([option, value]).Options;
        options.Validate();
    }

    [Fact]
    public void Unknown_options_are_kept_and_warned_about_once()
    {
        var line = AntiEtcdCommandLine.Parse(["--my_filter_setting", "X", "--other", "y"]);
        Assert.Equal("X", line.Options.RawOptions["my_filter_setting"]);
        var warning = Assert.Single(line.Warnings);
        Assert.Contains("--my_filter_setting", warning, StringComparison.Ordinal);
        Assert.Contains("--other", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Original_options_that_were_dropped_are_ignored_with_a_warning()
    {
        var line = AntiEtcdCommandLine.Parse(["--use_locks", "--dump_timeout", "5"]);
        Assert.Equal(2, line.Warnings.Count);
    }

    [Theory]
    [InlineData("--use_locks")]
    [InlineData("--lock_wait_timeout", "100")]
    [InlineData("--lock_wait_interval", "100")]
    [InlineData("--merge_watches", "1")]
    [InlineData("--dump_timeout", "100")]
    [InlineData("--load_timeout", "100")]
    [InlineData("--compact_timeout", "100")]
    [InlineData("--leadership_timeout", "100")]
    public void Every_dropped_option_of_the_table_is_accepted_and_ignored_with_a_warning(params string[] args)
    {
        // SPEC §11.3: "accepted, ignored, warning" (and not listed again among the unknown options).
        var line = AntiEtcdCommandLine.Parse(args);
        var warning = Assert.Single(line.Warnings);
        Assert.Contains(args[0] + " ", warning, StringComparison.Ordinal);
        Assert.Contains("ignored", warning, StringComparison.Ordinal);
        line.Options.Validate();
    }

    [Theory]
    [InlineData("--etcd_proxy", "http://127.0.0.1:2379")]
    [InlineData("--etcd_cert", "c.pem")]
    [InlineData("--etcd_key", "k.pem")]
    [InlineData("--etcd_ca", "ca.pem")]
    public void Every_etcd_proxy_option_is_refused_at_start(string option, string value)
    {
        var error = Assert.Throws<ArgumentException>(AntiEtcdCommandLine.Parse([option, value]).Options.Validate);
        Assert.Equal("etcd_proxy mode is not supported", error.Message);
    }

    [Fact]
    public void Last_repetition_wins()
    {
        Assert.Equal(3, AntiEtcdCommandLine.Parse(["--port", "2", "--port", "3"]).Options.Port);
    }

    [Fact]
    public void Logs_and_help_and_version()
    {
        var line = AntiEtcdCommandLine.Parse(["--logs", "access,cluster", "-h", "--version"]);
        Assert.Equal(AntiEtcdLogs.Access | AntiEtcdLogs.Cluster, line.Options.Logs);
        Assert.True(line.Help);
        Assert.True(line.Version);
        Assert.Contains("--max_request_bytes", AntiEtcdCommandLine.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public void Semantic_errors_name_the_option()
    {
        Assert.Contains("use_base64", Assert.Throws<ArgumentException>(() => AntiEtcdOptions.Parse(["--use_base64", "0"]).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("etcd_proxy", Assert.Throws<ArgumentException>(() => AntiEtcdOptions.Parse(["--etcd_proxy", "1"]).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("ElectionTimeout", Assert.Throws<ArgumentException>(() => AntiEtcdOptions.Parse(["--election_timeout", "150"]).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("NodeId", Assert.Throws<ArgumentException>(() => new AntiEtcdOptions { NodeId = "a b" }.Validate()).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new AntiEtcdServer(new AntiEtcdOptions { Port = 70000 }));
    }
}
