namespace AntiEtcd.LoadGen.Tests;

/// <summary>The command line of the load generator (<see cref="LoadGenOptions.Parse"/>): errors are <see cref="ArgumentException"/>s naming the option.</summary>
public sealed class LoadGenOptionsTests
{
    [Fact]
    public void ClusterPids_AreCommaSeparated_SpacesAllowed()
    {
        var options = LoadGenOptions.Parse(["--cluster-pids", "1,2, 3"]);

        Assert.NotNull(options);
        Assert.Equal([1, 2, 3], options.ClusterPids);
    }

    [Fact]
    public void ClusterPids_InlineValue_IsTheSame()
    {
        var options = LoadGenOptions.Parse(["--cluster-pids=40,41,42"]);

        Assert.NotNull(options);
        Assert.Equal([40, 41, 42], options.ClusterPids);
    }

    [Fact]
    public void ClusterPids_GivenTwice_TheLastListWins()
    {
        var options = LoadGenOptions.Parse(["--cluster-pids", "1,2", "--cluster-pids", "7,8,9"]);

        Assert.NotNull(options);
        Assert.Equal([7, 8, 9], options.ClusterPids);
    }

    [Fact]
    public void ClusterPids_AreEmptyByDefault()
    {
        var options = LoadGenOptions.Parse([]);

        Assert.NotNull(options);
        Assert.Empty(options.ClusterPids);
    }

    [Theory]
    [InlineData("0", "0")]
    [InlineData("x", "x")]
    [InlineData("1,x,3", "x")]
    [InlineData("-5", "-5")]
    public void ClusterPids_NotPositiveIntegers_AreRefused_NamingTheOptionAndTheValue(string value, string bad)
    {
        var error = Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse(["--cluster-pids", value]));

        Assert.Contains("--cluster-pids", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{bad}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(",")]
    [InlineData(" , ")]
    public void ClusterPids_AnEmptyList_IsRefused_NotSilentlyNoClusterFigures(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse(["--cluster-pids", value]));

        Assert.Contains("--cluster-pids", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClusterPids_WithoutAValue_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse(["--cluster-pids"]));

        Assert.Contains("--cluster-pids", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://10.0.0.1:2379")]
    [InlineData("http://192.168.1.20:2379")]
    [InlineData("http://example.com:2379")]
    public void Url_NotLoopback_IsRefused(string url)
    {
        var error = Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse(["--url", url]));

        Assert.Contains("--url", error.Message, StringComparison.Ordinal);
        Assert.Contains("loopback", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:2379")]
    [InlineData("http://127.0.0.2:32379")]
    [InlineData("http://[::1]:2379")]
    [InlineData("http://localhost:2379")]
    public void Url_Loopback_IsAccepted(string url)
    {
        var options = LoadGenOptions.Parse(["--url", url]);

        Assert.NotNull(options);
        Assert.Equal(new Uri(url), options.Url);
    }

    [Fact]
    public void Help_IsNull_NotAnError()
    {
        Assert.Null(LoadGenOptions.Parse(["--workload", "range", "--help"]));
    }
}
