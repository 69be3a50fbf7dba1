using System.Text.Json;
using AntiEtcd.Jepsen.Checkers.History;

namespace AntiEtcd.Jepsen;

/// <summary>
/// Writes histories as JSON lines (one operation per line, a <c>type</c> field first), by hand with
/// <see cref="Utf8JsonWriter"/>: no reflection serialization in this repository.
/// </summary>
/// <remarks>Not thread-safe: one writer per file, used after the workers have stopped.</remarks>
public sealed class HistoryWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly Utf8JsonWriter _json;

    /// <summary>Creates (or truncates) <paramref name="path"/>.</summary>
    public HistoryWriter(string path)
    {
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        _json = new Utf8JsonWriter(_stream);
    }

    /// <summary>Lines written.</summary>
    public long Lines { get; private set; }

    /// <summary>Writes a register operation.</summary>
    public void Write(string workload, RegisterOp op)
    {
        ArgumentNullException.ThrowIfNull(op);
        Begin("register", workload);
        _json.WriteNumber("process", op.Process);
        _json.WriteString("key", op.Key);
        _json.WriteString("kind", op.Kind.ToString());
        WriteNullable("value", op.Value);
        WriteNullable("expected", op.Expected);
        End(op.InvokeNanos, op.CompleteNanos, op.Outcome);
    }

    /// <summary>Writes a list-append transaction.</summary>
    public void Write(string workload, TxnOp op)
    {
        ArgumentNullException.ThrowIfNull(op);
        Begin("txn", workload);
        _json.WriteNumber("process", op.Process);
        _json.WriteStartArray("ops");
        foreach (var micro in op.Ops)
        {
            _json.WriteStartArray();
            _json.WriteStringValue(micro.Kind == MicroOpKind.Read ? "r" : "append");
            _json.WriteStringValue(micro.Key);
            if (micro.Kind == MicroOpKind.Append)
            {
                _json.WriteNumberValue(micro.Element);
            }
            else if (micro.ReadResult is { } list)
            {
                _json.WriteStartArray();
                foreach (var element in list)
                {
                    _json.WriteNumberValue(element);
                }

                _json.WriteEndArray();
            }
            else
            {
                _json.WriteNullValue();
            }

            _json.WriteEndArray();
        }

        _json.WriteEndArray();
        End(op.InvokeNanos, op.CompleteNanos, op.Outcome);
    }

    /// <summary>Writes a write record (what the watch checker compares watches with).</summary>
    public void Write(string workload, WriteRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Begin("write", workload);
        _json.WriteString("key", record.Key);
        _json.WriteString("value", record.Value);
        _json.WriteNumber("revision", record.Revision);
        _json.WriteString("outcome", record.Outcome.ToString());
        Finish();
    }

    /// <summary>Writes what one watcher saw.</summary>
    public void Write(string workload, WatchRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Begin("watch", workload);
        _json.WriteNumber("client", record.Client);
        _json.WriteString("prefix", record.Prefix);
        _json.WriteNumber("start_revision", record.StartRevision);
        _json.WriteNumber("end_revision", record.EndRevision);
        _json.WriteBoolean("compacted", record.Compacted);
        _json.WriteStartArray("events");
        foreach (var e in record.Events)
        {
            _json.WriteStartArray();
            _json.WriteStringValue(e.Key);
            _json.WriteStringValue(e.Value);
            _json.WriteNumberValue(e.ModRevision);
            _json.WriteEndArray();
        }

        _json.WriteEndArray();
        Finish();
    }

    /// <summary>Writes a lease operation.</summary>
    public void Write(string workload, LeaseOp op)
    {
        ArgumentNullException.ThrowIfNull(op);
        Begin("lease", workload);
        _json.WriteNumber("process", op.Process);
        _json.WriteString("kind", op.Kind.ToString());
        _json.WriteNumber("lease", op.LeaseId);
        _json.WriteString("key", op.Key);
        _json.WriteNumber("ttl", op.Ttl);
        _json.WriteBoolean("key_present", op.KeyPresent);
        End(op.InvokeNanos, op.CompleteNanos, op.Outcome);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _json.Dispose();
        _stream.Dispose();
    }

    private void Begin(string type, string workload)
    {
        _json.WriteStartObject();
        _json.WriteString("type", type);
        _json.WriteString("workload", workload);
    }

    private void WriteNullable(string name, long? value)
    {
        if (value is { } v)
        {
            _json.WriteNumber(name, v);
        }
        else
        {
            _json.WriteNull(name);
        }
    }

    private void End(long invoke, long complete, Outcome outcome)
    {
        _json.WriteNumber("invoke_ns", invoke);
        _json.WriteNumber("complete_ns", complete);
        _json.WriteString("outcome", outcome.ToString());
        Finish();
    }

    private void Finish()
    {
        _json.WriteEndObject();
        _json.Flush();
        _stream.WriteByte((byte)'\n');
        _json.Reset(_stream);
        Lines++;
    }
}
