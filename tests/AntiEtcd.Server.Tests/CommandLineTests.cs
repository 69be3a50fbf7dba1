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
