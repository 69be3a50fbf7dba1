using System.Net;
using AntiEtcd.Server.Cluster;
using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server.Tests;

/// <summary>
/// SPEC §8.1, §8.2, §10.3, §11.2: the cluster options, the refusals of a wrong cluster setup, and the
/// listen address taken from this node's cluster URL.
/// </summary>
public sealed class ClusterOptionsTests
{
    private const string Three = "a=http://10.0.0.1:2379,b=http://10.0.0.2:2379,c=http://10.0.0.3:2379";
    private const string Key = "0123456789abcdef-long-enough";

    [Fact]
    public void A_three_node_cluster_parses_with_whitespace_around_entries()
    {
        var options = AntiEtcdOptions.Parse(["--cluster", " a = http://10.0.0.1:2379 ,b=http://10.0.0.2:2379,  c=http://node-c.example:2380 , ", "--node_id", "a", "--cluster_key", Key]);
        Assert.Equal(3, options.Cluster!.Count);
        Assert.Equal("http://10.0.0.1:2379", options.Cluster["a"]);
        Assert.Equal("http://node-c.example:2380", options.Cluster["c"]);
        options.Validate();
    }

    [Theory]
    [InlineData("a=http://h:1,a=http://h:2", "node id 'a' is listed twice")]
    [InlineData("a=http://h:1,b=http://H:1", "nodes 'a' and 'b' have the same URL")]
    [InlineData("a=http://127.0.0.1:1,b=http://127.0.0.1:1/", "nodes 'a' and 'b' have the same URL")]
    [InlineData("b=http://h:1,c=http://h:2", "node_id 'a' is not listed in --cluster")]
    [InlineData("a=http://h:1,b=not a url", "URL 'not a url' of node 'b' is not a URL")]
    [InlineData("a=http://h:1,b=", "URL '' of node 'b' is not a URL")]
    [InlineData("a=http://h:1,b=http://h2", "URL 'http://h2' of node 'b' needs an explicit port")]
    [InlineData("a=http://h:1,b=https://h2/", "URL 'https://h2/' of node 'b' needs an explicit port")]
    [InlineData("a=http://h:1,b=http://[::1]", "needs an explicit port")]
    [InlineData("a=http://h:1,b=http://h2:", "needs an explicit port")]
    [InlineData("a=http://h:1,b=http://h2:0", "needs a port between 1 and 65535")]
    [InlineData("a=http://h:1,b=http://h2:99999", "is not a URL")]
    [InlineData("a=http://h:1,b=ws://h2:1", "URL 'ws://h2:1' of node 'b' must start with http:// or https://")]
    [InlineData("a=http://h:1,b=ftp://h2:1", "must start with http:// or https://")]
    [InlineData("a=http://h:1,b=http://h2:1/path", "must be http://host:port, with nothing after the port")]
    [InlineData("a=http://h:1,b=http://user@h2:1", "with nothing after the port")]
    [InlineData("a=http://h:1,b=http://h2:1?x=1", "with nothing after the port")]
    [InlineData("a=http://h:1,b=http:h2:1", "URL 'http:h2:1' of node 'b' is not a URL")]
    [InlineData("a=http://h:1,http://h2:1", "entry 'http://h2:1' is not id=url")]
    [InlineData("a=http://h:1,=http://h2:1", "is not id=url")]
    [InlineData("a=http://h:1, ", "")]
    [InlineData(",", "option --cluster lists no node")]
    public void A_wrong_cluster_list_is_a_usage_error_that_names_the_problem(string cluster, string message)
    {
        var args = new[] { "--cluster", cluster, "--node_id", "a", "--cluster_key", Key };
        if (message.Length == 0)
        {
            // A trailing empty entry is whitespace around entries: accepted.
            AntiEtcdOptions.Parse(args).Validate();
            return;
        }

        var ex = Assert.Throws<ArgumentException>(() => AntiEtcdOptions.Parse(args));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Contains("cluster", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("x,y")]
    public void Every_node_id_in_the_list_is_checked(string badId)
    {
        var cluster = new Dictionary<string, string> { ["a"] = "http://h:1", [badId] = "http://h:2" };
        var ex = Assert.Throws<ArgumentException>(() => Valid(o => o.Cluster = cluster).Validate());
        Assert.Contains($"node id '{badId}' must be 1-255 bytes without ',', '=' or whitespace", ex.Message, StringComparison.Ordinal);
        Assert.Equal(nameof(AntiEtcdOptions.Cluster), ex.ParamName);
    }

    [Fact]
    public void A_node_id_of_256_bytes_is_refused()
    {
        var id = new string('é', 128);
        var cluster = new Dictionary<string, string> { ["a"] = "http://h:1", [id] = "http://h:2" };
        Assert.Throws<ArgumentException>(() => Valid(o => o.Cluster = cluster).Validate());
        cluster = new Dictionary<string, string> { ["a"] = "http://h:1", [new string('é', 127) + "x"] = "http://h:2" };
        Valid(o => o.Cluster = cluster).Validate();
    }

    [Fact]
    public void Node_id_is_required_with_cluster_even_when_default_is_listed()
    {
        var ex = Assert.Throws<ArgumentException>(() => AntiEtcdOptions.Parse(["--cluster", "default=http://h:1"]));
        Assert.Equal("option --node_id is required with --cluster", ex.Message);

        var embedded = new AntiEtcdOptions { Cluster = new Dictionary<string, string> { ["default"] = "http://h:1" } };
        ex = Assert.Throws<ArgumentException>(embedded.Validate);
        Assert.Equal(nameof(AntiEtcdOptions.NodeId), ex.ParamName);

        embedded.NodeId = "default";
        embedded.Validate();
    }

    [Fact]
    public void Own_node_missing_names_the_node_id()
    {
        var ex = Assert.Throws<ArgumentException>(() => AntiEtcdOptions.Parse(["--cluster", Three, "--node_id", "x", "--cluster_key", Key]));
        Assert.Equal("node_id 'x' is not listed in --cluster", ex.Message);
    }

    [Fact]
    public void More_than_one_node_needs_a_cluster_key_or_a_key_file()
    {
        var ex = Assert.Throws<ArgumentException>(() => AntiEtcdOptions.Parse(["--cluster", Three, "--node_id", "a"]));
        Assert.Equal("option --cluster_key or --cluster_key_file is required with more than one node", ex.Message);

        AntiEtcdOptions.Parse(["--cluster", Three, "--node_id", "a", "--cluster_key", Key]).Validate();
        AntiEtcdOptions.Parse(["--cluster", Three, "--node_id", "a", "--cluster_key_file", "/checked/at/start"]).Validate();
        AntiEtcdOptions.Parse(["--cluster", "a=http://h:1", "--node_id", "a"]).Validate();
    }

    [Fact]
    public void Both_key_options_or_an_empty_key_are_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => AntiEtcdOptions.Parse(["--cluster", Three, "--node_id", "a", "--cluster_key", Key, "--cluster_key_file", "/k"]));
        Assert.Equal("give --cluster_key or --cluster_key_file, not both", ex.Message);
        Assert.DoesNotContain(Key, ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<ArgumentException>(() => AntiEtcdOptions.Parse(["--cluster", Three, "--node_id", "a", "--cluster_key="]));
        Assert.Equal("option --cluster_key must not be empty", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => AntiEtcdOptions.Parse(["--cluster", Three, "--node_id", "a", "--cluster_key_file="]));
        Assert.Equal("option --cluster_key_file must be a file path", ex.Message);

        // Embedders get the same refusals, naming the property.
        ex = Assert.Throws<ArgumentException>(() => new AntiEtcdServer(Valid(o => (o.ClusterKey, o.ClusterKeyFile) = (Key, "/k"))));
        Assert.Equal(nameof(AntiEtcdOptions.ClusterKey), ex.ParamName);
    }

    [Fact]
    public void This_nodes_scheme_must_match_its_tls_settings()
    {
        var ex = Assert.Throws<ArgumentException>(() => AntiEtcdOptions.Parse(["--cluster", "a=https://h:1,b=http://h:2", "--node_id", "a", "--cluster_key", Key]));
        Assert.Equal("option --cluster: this node's URL https://h:1 is https://, which needs --cert and --key", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => AntiEtcdOptions.Parse(["--cluster", "a=http://h:1,b=https://h:2", "--node_id", "a", "--cluster_key", Key, "--cert", "c.pem", "--key", "k.pem"]));
        Assert.Equal("option --cluster: this node's URL http://h:1 must be https:// because --cert and --key are set", ex.Message);

        // Only this node's URL is tied to its own TLS settings; peers may differ.
        AntiEtcdOptions.Parse(["--cluster", "a=https://h:1,b=http://h:2", "--node_id", "a", "--cluster_key", Key, "--cert", "c.pem", "--key", "k.pem"]).Validate();
        AntiEtcdOptions.Parse(["--cluster", "a=HTTPS://h:1", "--node_id", "a", "--cert", "c.pem", "--key", "k.pem"]).Validate();
    }

    [Fact]
    public void Help_and_version_are_answered_even_with_a_wrong_cluster()
    {
        Assert.True(AntiEtcdCommandLine.Parse(["--cluster", "a=http://h:1,b=http://h:1", "--help"]).Help);
        Assert.True(AntiEtcdCommandLine.Parse(["--cluster", "a=http://h", "--version"]).Version);
        Assert.Contains("required with --cluster", AntiEtcdCommandLine.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public void Timing_and_behaviour_options_parse_and_validate()
    {
        var options = AntiEtcdOptions.Parse([
            "--cluster", Three, "--node_id", "b", "--cluster_key", Key,
            "--election_timeout", "1000", "--heartbeat_timeout", "200", "--leader_priority", "7", "--stale_read", "yes",
            "--wait_quorum_timeout", "1", "--forward_timeout", "2", "--replication_timeout", "3", "--reconnect_interval", "0",
        ]);
        options.Validate();
        Assert.Equal((1000, 200, 7, true), (options.ElectionTimeout, options.HeartbeatTimeout, options.LeaderPriority, options.StaleRead));
        Assert.Equal((1, 2, 3, 0), (options.WaitQuorumTimeout, options.ForwardTimeout, options.ReplicationTimeout, options.ReconnectInterval));

        var defaults = new AntiEtcdOptions();
        Assert.Equal((500, 100, 0, false), (defaults.ElectionTimeout, defaults.HeartbeatTimeout, defaults.LeaderPriority, defaults.StaleRead));
        Assert.Equal((30000, 5000, 5000, 1000), (defaults.WaitQuorumTimeout, defaults.ForwardTimeout, defaults.ReplicationTimeout, defaults.ReconnectInterval));
    }

    [Theory]
    [InlineData("--leader_priority", "-1")]
    [InlineData("--election_timeout", "1.5")]
    [InlineData("--heartbeat_timeout", "2147483648")]
    [InlineData("--wait_quorum_timeout", "-5")]
    [InlineData("--forward_timeout", "x")]
    [InlineData("--replication_timeout", "")]
    [InlineData("--reconnect_interval", "-1")]
    [InlineData("--stale_read", "maybe")]
    public void Out_of_range_timing_values_are_usage_errors(string option, string value)
    {
        var ex = Assert.Throws<ArgumentException>(() => AntiEtcdOptions.Parse([option + "=" + value]));
        Assert.Contains(option, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(199, 100, false)]
    [InlineData(200, 100, true)]
    [InlineData(500, 0, false)]
    public void Election_timeout_must_be_at_least_twice_the_heartbeat(int election, int heartbeat, bool ok)
    {
        var options = Valid(o => (o.ElectionTimeout, o.HeartbeatTimeout) = (election, heartbeat));
        if (ok)
        {
            options.Validate();
        }
        else
        {
            Assert.Throws<ArgumentException>(options.Validate);
        }
    }

    [Theory]
    [InlineData(nameof(AntiEtcdOptions.LeaderPriority))]
    [InlineData(nameof(AntiEtcdOptions.WaitQuorumTimeout))]
    [InlineData(nameof(AntiEtcdOptions.ForwardTimeout))]
    [InlineData(nameof(AntiEtcdOptions.ReplicationTimeout))]
    [InlineData(nameof(AntiEtcdOptions.ReconnectInterval))]
    public void Negative_timing_properties_are_refused_naming_the_property(string property)
    {
        var options = Valid(_ => { });
        typeof(AntiEtcdOptions).GetProperty(property)!.SetValue(options, -1);
        var ex = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(property, ex.ParamName);
    }

    [Theory]
    [InlineData("a=http://10.1.2.3:2380", null, null, "10.1.2.3", 2380)]
    [InlineData("a=http://localhost:2380", null, null, "127.0.0.1", 2380)]
    [InlineData("a=http://LOCALHOST:2380", null, null, "127.0.0.1", 2380)]
    [InlineData("a=http://[::1]:2381", null, null, "::1", 2381)]
    [InlineData("a=http://10.1.2.3:2380", "0.0.0.0", 0, "0.0.0.0", 0)]
    [InlineData("a=http://10.1.2.3:2380", null, 2379, "10.1.2.3", 2379)]
    [InlineData("a=http://10.1.2.3:2380", "127.0.0.1", null, "127.0.0.1", 2380)]
    [InlineData(null, null, null, "127.0.0.1", 2379)]
    [InlineData(null, "0.0.0.0", 5000, "0.0.0.0", 5000)]
    public void The_listen_address_comes_from_this_nodes_url_unless_given(string? cluster, string? ip, int? port, string expectedIp, int expectedPort)
    {
        var args = new List<string>();
        if (cluster is not null)
        {
            args.AddRange(["--cluster", cluster + ",b=http://10.9.9.9:1", "--node_id", "a", "--cluster_key", Key]);
        }

        if (ip is not null)
        {
            args.AddRange(["--ip", ip]);
        }

        if (port is not null)
        {
            args.AddRange(["--port", port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        var listen = ListenAddress.Resolve(AntiEtcdOptions.Parse([.. args]));
        Assert.Equal(new ListenAddress(expectedIp, expectedPort), listen);
    }

    [Fact]
    public void A_dns_name_in_the_url_listens_on_all_interfaces()
    {
        var listen = ListenAddress.Resolve(AntiEtcdOptions.Parse(["--cluster", "a=https://node-a.example.com:2379", "--node_id", "a", "--cert", "c", "--key", "k"]));
        Assert.True(IPAddress.Parse(listen.Ip).Equals(IPAddress.Any) || IPAddress.Parse(listen.Ip).Equals(IPAddress.IPv6Any), listen.Ip);
        Assert.Equal(2379, listen.Port);
    }

    [Fact]
    public void Embedders_set_properties_and_an_explicit_default_still_overrides_the_url()
    {
        var options = new AntiEtcdOptions { NodeId = "a", Cluster = new Dictionary<string, string> { ["a"] = "http://10.1.2.3:2380" } };
        Assert.Equal(new ListenAddress("10.1.2.3", 2380), ListenAddress.Resolve(options));
        Assert.Equal(2379, options.Port);
        Assert.Equal("127.0.0.1", options.Ip);

        options.Port = 2379;
        options.Ip = "127.0.0.1";
        Assert.Equal(new ListenAddress("127.0.0.1", 2379), ListenAddress.Resolve(options));
    }

    [Fact]
    public async Task A_one_node_cluster_listens_on_the_port_of_its_url()
    {
        var port = FreePort();
        var options = new AntiEtcdOptions { NodeId = "solo", Cluster = new Dictionary<string, string> { ["solo"] = $"http://127.0.0.1:{port}" } };
        await using var server = new AntiEtcdServer(options);
        await server.StartAsync(TestContext.Current.CancellationToken);
        Assert.Equal(port, server.LocalPort);
    }

    [Fact]
    public async Task A_short_key_is_a_warning_when_the_transport_starts_and_a_long_one_is_not()
    {
        var shortKeyLogs = await LogsOfTransportAsync("tiny");
        Assert.Contains(shortKeyLogs, l => l.Level == LogLevel.Warning && l.Message.Contains("cluster_key is shorter than 16 bytes", StringComparison.Ordinal));
        Assert.All(shortKeyLogs, l => Assert.DoesNotContain("tiny", l.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(await LogsOfTransportAsync(Key), l => l.Level == LogLevel.Warning);
    }

    [Fact]
    public void The_key_file_is_read_at_start_and_its_failures_are_start_failures()
    {
        var dir = Directory.CreateTempSubdirectory("antietcd-key-");
        try
        {
            var file = Path.Combine(dir.FullName, "key");
            File.WriteAllText(file, Key + "\nsecond line ignored\n");
            var options = AntiEtcdOptions.Parse(["--cluster", Three, "--node_id", "a", "--cluster_key_file", file]);
            Assert.Equal(Key, System.Text.Encoding.UTF8.GetString(TransportOptions(options).ClusterKey.Span));

            File.WriteAllText(file, "\n");
            var empty = Assert.Throws<InvalidOperationException>(() => TransportOptions(options));
            Assert.Contains("empty first line", empty.Message, StringComparison.Ordinal);

            options.ClusterKeyFile = Path.Combine(dir.FullName, "missing");
            Assert.ThrowsAny<IOException>(() => TransportOptions(options));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Valid three-node options for node a, changed by <paramref name="change"/>.</summary>
    private static AntiEtcdOptions Valid(Action<AntiEtcdOptions> change)
    {
        var options = AntiEtcdOptions.Parse(["--cluster", Three, "--node_id", "a", "--cluster_key", Key]);
        change(options);
        return options;
    }

    private static PeerTransportOptions TransportOptions(AntiEtcdOptions options) =>
        PeerTransportOptions.FromServerOptions(options, new SharedSettings("memory", "", options.MaxRequestBytes));

    private static async Task<IReadOnlyList<(LogLevel Level, string Message)>> LogsOfTransportAsync(string key)
    {
        var options = AntiEtcdOptions.Parse(["--cluster", Three, "--node_id", "a", "--cluster_key", key]);
        options.Validate();
        using var logs = new CapturedLogs();
        await using (new WebSocketPeerTransport(TransportOptions(options), logs.CreateLogger("test")))
        {
            return logs.Lines;
        }
    }

    private static int FreePort() => AntiEtcd.Testing.LoopbackPorts.Pick(1)[0];
}
