using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AntiEtcd.Api.Json;
using AntiEtcd.Client;

namespace AntiEtcd.Cli;

/// <summary>
/// Runs one anticli command (SPEC §12.2) on a client and returns the exit code. Output goes to
/// stdout as raw bytes (keys and values are not text), errors to stderr.
/// </summary>
internal sealed partial class AnticliRunner
{
    private readonly AnticliCommandLine _line;
    private readonly AntiEtcdClient _client;
    private readonly Stream _stdout;
    private readonly TextWriter _stderr;
    private readonly Stream _stdin;
    private readonly bool _stderrIsTerminal;

    public AnticliRunner(AnticliCommandLine line, AntiEtcdClient client, Stream stdout, TextWriter stderr, Stream stdin, bool stderrIsTerminal)
    {
        _line = line;
        _client = client;
        _stdout = stdout;
        _stderr = stderr;
        _stdin = stdin;
        _stderrIsTerminal = stderrIsTerminal;
    }

    /// <summary>Runs the command: 0 on success, 1 when a request (or every endpoint) failed.</summary>
    /// <param name="cancellationToken">Ctrl-C: watch and keepalive end with 0, other commands with 1.</param>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (_line.Command, _line.Subcommand) switch
            {
                ("put", _) => await PutAsync(cancellationToken),
                ("get", _) => await GetAsync(cancellationToken),
                ("del", _) => await DeleteAsync(cancellationToken),
                ("load", _) => await LoadAsync(cancellationToken),
                ("watch", _) => await WatchAsync(cancellationToken),
                ("status", _) => await StatusAsync(cancellationToken),
                (_, "grant") => await LeaseGrantAsync(cancellationToken),
                (_, "revoke") => await LeaseRevokeAsync(cancellationToken),
                (_, "keepalive") => await LeaseKeepAliveAsync(cancellationToken),
                _ => await LeaseListAsync(cancellationToken),
            };
        }
        catch (AntiEtcdClientException ex)
        {
            ReportErrors(ex);
            return 1;
        }
        catch (FormatException ex)
        {
            await _stderr.WriteLineAsync($"anticli: unexpected response: {ex.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _stderr.WriteLineAsync("anticli: interrupted");
            return 1;
        }
        finally
        {
            await _stdout.FlushAsync(CancellationToken.None);
            await _stderr.FlushAsync(CancellationToken.None);
        }
    }

    /// <summary>One line per failed attempt, as SPEC §12.3 wants: <c>&lt;url&gt;: &lt;message&gt;</c>.</summary>
    private void ReportErrors(AntiEtcdClientException ex)
    {
        foreach (var error in ex.Errors)
        {
            _stderr.WriteLine(error.ToString());
        }

        if (ex.Errors.Count == 0)
        {
            _stderr.WriteLine($"anticli: {ex.Message}");
        }
    }

    /// <summary>The key (and range end) for a key argument, with <c>--prefix</c> as SPEC §12.1 defines it.</summary>
    private (byte[] Key, byte[] RangeEnd) KeyRange(string argument)
    {
        if (!_line.Prefix)
        {
            return (Encoding.UTF8.GetBytes(argument), []);
        }

        if (argument.Length == 0)
        {
            // Every key: "\0".."\0" (SPEC §2.3).
            return ([0], [0]);
        }

        string k = argument.TrimEnd('/');
        return (Encoding.UTF8.GetBytes(k + "/"), Encoding.UTF8.GetBytes(k + "0"));
    }

    private async Task WriteLineAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _stdout.WriteAsync(bytes, cancellationToken);
        _stdout.WriteByte((byte)'\n');
    }

    private Task WriteLineAsync(string text, CancellationToken cancellationToken) =>
        WriteLineAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>Prints a JSON node compactly, with the same escaping rules as the server's responses.</summary>
    private async Task WriteJsonLineAsync(JsonNode? node, CancellationToken cancellationToken)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = ApiJsonWriter.WriterOptions.Encoder }))
        {
            if (node is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                node.WriteTo(writer);
            }
        }

        await WriteLineAsync(buffer.WrittenMemory, cancellationToken);
    }

    private static byte[] Encode<T>(T request, Action<Utf8JsonWriter, T> write) => ApiJsonWriter.ToUtf8Bytes(request, write);
}
