using System.Text.Json;

namespace AntiEtcd.Cli.Tests;

/// <summary>SPEC §12.2: put, get and del of the real anticli against a real antietcd.</summary>
[Collection("processes")]
public sealed class AnticliKvTests(AnticliServerFixture server) : IClassFixture<AnticliServerFixture>
{
    [Fact]
    public async Task Put_then_get_keeps_the_case_of_keys_and_values()
    {
        var put = await server.RunAsync("put", "Kv/MixedCase", "Value With CAPS");
        Assert.Equal(0, put.ExitCode);
        Assert.Equal("OK\n", put.Stdout);
        Assert.Equal("", put.Stderr);

        var get = await server.RunAsync("get", "Kv/MixedCase");
        Assert.Equal(0, get.ExitCode);
        Assert.Equal("Kv/MixedCase\nValue With CAPS\n", get.Stdout);
    }

    [Fact]
    public async Task Put_reads_a_binary_value_from_stdin_and_get_prints_it_byte_for_byte()
    {
        var value = new byte[256];
        for (int i = 0; i < value.Length; i++)
        {
            value[i] = (byte)i;
        }

        var put = await server.RunWithInputAsync(value, "put", "kv/binary");
        Assert.Equal(0, put.ExitCode);

        var get = await server.RunAsync("get", "kv/binary", "--print-value-only");
        Assert.Equal([.. value, (byte)'\n'], get.StdoutBytes);
    }

    [Fact]
    public async Task Get_prefix_removes_trailing_slashes_and_leaves_out_the_bare_key()
    {
        foreach (var key in new[] { "pfx", "pfx/a", "pfx/b", "pfx0", "pfxz" })
        {
            Assert.Equal(0, (await server.RunAsync("put", key, "v-" + key)).ExitCode);
        }

        var get = await server.RunAsync("get", "pfx//", "-p");
        Assert.Equal(0, get.ExitCode);
        Assert.Equal("pfx/a\nv-pfx/a\npfx/b\nv-pfx/b\n", get.Stdout);

        Assert.Equal("pfx/a\npfx/b\n", (await server.RunAsync("get", "pfx", "--prefix", "-k")).Stdout);
        Assert.Equal("v-pfx/a\nv-pfx/b\n", (await server.RunAsync("-v", "get", "pfx", "--prefix")).Stdout);
    }

    [Fact]
    public async Task Get_of_several_keys_prints_them_in_the_order_given_and_an_empty_prefix_means_every_key()
    {
        await using var own = ServerProcess.Start("--port", "0");
        var url = $"http://127.0.0.1:{await own.WaitForPortAsync()}";
        foreach (var key in new[] { "a", "b/1", "\u00e9" })
        {
            Assert.Equal(0, (await AnticliProcess.RunAsync("-e", url, "put", key, "v" + key)).ExitCode);
        }

        Assert.Equal("b/1\nvb/1\na\nva\n", (await AnticliProcess.RunAsync("-e", url, "get", "b/1", "a")).Stdout);
        // SPEC §12.1: an empty K with --prefix is "\0".."\0", every key.
        Assert.Equal("a\nb/1\n\u00e9\n", (await AnticliProcess.RunAsync("-e", url, "get", "", "-p", "-k")).Stdout);
    }

    [Fact]
    public async Task Get_keys_only_asks_the_server_for_keys_only()
    {
        await server.RunAsync("put", "kv/keysonly", "secret");
        var get = await server.RunAsync("get", "kv/keysonly", "-k", "--json");
        Assert.Equal(0, get.ExitCode);
        using var json = JsonDocument.Parse(get.Stdout);
        var kv = json.RootElement.GetProperty("kvs")[0];
        Assert.False(kv.TryGetProperty("value", out _));
    }

    [Fact]
    public async Task Get_json_prints_the_range_response_for_one_key_and_the_txn_response_for_several()
    {
        await server.RunAsync("put", "kv/j1", "1");
        await server.RunAsync("put", "kv/j2", "2");

        var one = await server.RunAsync("get", "kv/j1", "--json");
        using (var json = JsonDocument.Parse(one.Stdout))
        {
            Assert.False(json.RootElement.TryGetProperty("responses", out _));
            Assert.Equal("a3YvajE=", json.RootElement.GetProperty("kvs")[0].GetProperty("key").GetString());
            Assert.Equal("1", json.RootElement.GetProperty("count").GetString());
        }

        var several = await server.RunAsync("get", "kv/j1", "kv/j2", "-w", "json");
        using (var json = JsonDocument.Parse(several.Stdout))
        {
            Assert.True(json.RootElement.GetProperty("succeeded").GetBoolean());
            Assert.Equal(2, json.RootElement.GetProperty("responses").GetArrayLength());
        }
    }

    [Fact]
    public async Task Get_of_a_missing_key_prints_nothing_and_exits_0()
    {
        var get = await server.RunAsync("get", "kv/never-written");
        Assert.Equal(0, get.ExitCode);
        Assert.Equal("", get.Stdout);
        Assert.Equal("", get.Stderr);
    }

    [Fact]
    public async Task Get_no_temp_skips_leased_keys_in_text_and_json()
    {
        Assert.Equal(0, (await server.RunAsync("lease", "grant", "60", "--id", "7001")).ExitCode);
        await server.RunAsync("put", "temp/leased", "t", "--lease", "7001");
        await server.RunAsync("put", "temp/plain", "p");

        Assert.Equal("temp/leased\nt\ntemp/plain\np\n", (await server.RunAsync("get", "temp", "-p")).Stdout);
        Assert.Equal("temp/plain\np\n", (await server.RunAsync("get", "temp", "-p", "--no-temp")).Stdout);

        var json = await server.RunAsync("get", "temp", "-p", "--no_temp", "--json");
        using var document = JsonDocument.Parse(json.Stdout);
        var kvs = document.RootElement.GetProperty("kvs");
        Assert.Equal(1, kvs.GetArrayLength());
        Assert.Equal("dGVtcC9wbGFpbg==", kvs[0].GetProperty("key").GetString());
    }

    [Fact]
    public async Task Get_revision_reads_the_store_as_it_was()
    {
        var first = await server.RunAsync("put", "kv/history", "old", "--json");
        using var json = JsonDocument.Parse(first.Stdout);
        var revision = json.RootElement.GetProperty("header").GetProperty("revision").GetString()!;
        await server.RunAsync("put", "kv/history", "new");

        Assert.Equal("new\n", (await server.RunAsync("get", "kv/history", "-v")).Stdout);
        Assert.Equal("old\n", (await server.RunAsync("get", "kv/history", "-v", "--revision", revision)).Stdout);
    }

    [Fact]
    public async Task Del_prints_one_deleted_count_per_key()
    {
        foreach (var key in new[] { "del/a", "del/dir/1", "del/dir/2" })
        {
            await server.RunAsync("put", key, "x");
        }

        var del = await server.RunAsync("del", "del/a", "del/missing");
        Assert.Equal(0, del.ExitCode);
        Assert.Equal("1\n0\n", del.Stdout);

        var prefix = await server.RunAsync("del", "del/dir/", "-p", "--json");
        using var json = JsonDocument.Parse(prefix.Stdout);
        Assert.Equal("2", json.RootElement.GetProperty("responses")[0].GetProperty("response_delete_range").GetProperty("deleted").GetString());
        Assert.Equal("", (await server.RunAsync("get", "del", "-p")).Stdout);
    }

    [Fact]
    public async Task Put_json_prints_the_response_and_options_may_come_anywhere()
    {
        var put = await server.RunAsync("--write-out=json", "put", "--", "kv/-dash", "-value");
        Assert.Equal(0, put.ExitCode);
        using var json = JsonDocument.Parse(put.Stdout);
        Assert.True(json.RootElement.GetProperty("header").TryGetProperty("revision", out _));

        var json2 = await server.RunAsync("get", "--WRITE_OUT", "json", "kv/-dash", "--base64", "1");
        Assert.Equal(0, json2.ExitCode);
        using (var range = JsonDocument.Parse(json2.Stdout))
        {
            Assert.Equal("LXZhbHVl", range.RootElement.GetProperty("kvs")[0].GetProperty("value").GetString());
        }

        Assert.Equal("kv/-dash\n-value\n", (await server.RunAsync("get", "--", "kv/-dash")).Stdout);
    }

    [Fact]
    public async Task A_server_error_exits_1_with_the_url_and_the_message_on_stderr()
    {
        var put = await server.RunAsync("put", "kv/lease-missing", "x", "--lease", "0x7fffffff");
        Assert.Equal(1, put.ExitCode);
        Assert.Equal("", put.Stdout);
        Assert.Equal($"{server.Url}/v3/kv/put: etcdserver: requested lease not found\n", put.Stderr);
    }
}
