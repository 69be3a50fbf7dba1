using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AntiEtcd.Api;
using AntiEtcd.Mvcc;

namespace AntiEtcd.Server.Node;

/// <summary>
/// Reads an original antietcd persistence file for <c>--import_antietcd</c> (SPEC §9.6): gzip or
/// plain JSON <c>{"compact_revision":N,"mod_revision":N,"state":TREE,"term":N}</c>.
/// </summary>
/// <remarks>
/// <para>In TREE a node may have <c>value</c>, <c>create_revision</c>, <c>mod_revision</c>,
/// <c>version</c> and <c>children</c> (an object keyed by path component). A node with a
/// <c>value</c> field (even <c>""</c> or <c>null</c>) is a key, named by the components from the
/// root joined with <c>/</c>; the root's child <c>""</c> gives the leading <c>/</c>. A string value
/// becomes its UTF-8 bytes, any other JSON value its compact JSON text (antietcd's
/// <c>use_base64 0</c> mode stored values as JSON).</para>
/// <para>Defaults: a missing (or null) <c>mod_revision</c> is the file's <c>mod_revision</c> (at
/// least 1), <c>create_revision</c> is the key's <c>mod_revision</c>, <c>version</c> is 1.
/// <c>term</c>, <c>compact_revision</c>, leases and unknown fields are ignored.</para>
/// </remarks>
internal static class AntietcdDataFile
{
    // Two JSON levels per path component: keys of up to about 1000 components. The walk below
    // uses its own stack; the bound keeps a hostile file from costing quadratic key copies.
    private const int MaxDepth = 2048;

    private static readonly JsonWriterOptions CompactJson = new()
    {
        Indented = false,
        // Close to JavaScript's JSON.stringify: only what JSON requires is escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>Reads and parses the file.</summary>
    /// <param name="path">The <c>--import_antietcd</c> path.</param>
    /// <returns>The file's <c>mod_revision</c> (0 when absent) and its keys in byte order, checked with <see cref="MvccStore.ValidateImport"/>.</returns>
    /// <exception cref="InvalidDataException">The file cannot be read or parsed, or holds a key the
    /// store cannot take; the message starts with <c>--import_antietcd PATH: </c>.</exception>
    public static (long Revision, KeyValue[] Keys) Read(string path)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw Refused(path, ex.Message, ex);
        }

        return Parse(path, data);
    }

    /// <summary>Parses file content (gzip when it starts with the gzip magic bytes, else JSON); <paramref name="path"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">As <see cref="Read"/>.</exception>
    public static (long Revision, KeyValue[] Keys) Parse(string path, ReadOnlyMemory<byte> data)
    {
        try
        {
            if (data.Length >= 2 && data.Span[0] == 0x1F && data.Span[1] == 0x8B)
            {
                data = Gunzip(data);
            }

            if (data.Span.StartsWith("\uFEFF"u8))
            {
                // A byte order mark, as some editors write: not JSON, but harmless.
                data = data[3..];
            }

            using var document = JsonDocument.Parse(data, new JsonDocumentOptions { MaxDepth = MaxDepth, AllowDuplicateProperties = false });
            var (revision, keys) = ReadRoot(document.RootElement);
            if (MvccStore.ValidateImport(keys) is { } problem)
            {
                throw new InvalidDataException(problem);
            }

            Array.Sort(keys, static (a, b) => a.Key.Span.SequenceCompareTo(b.Key.Span));
            return (revision, keys);
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or InvalidOperationException or FormatException or IOException)
        {
            throw Refused(path, ex.Message, ex);
        }
    }

    private static InvalidDataException Refused(string path, string why, Exception inner) =>
        new($"--import_antietcd {path}: {why}", inner);

    private static ReadOnlyMemory<byte> Gunzip(ReadOnlyMemory<byte> data)
    {
        using var input = new MemoryStream(data.ToArray(), writable: false);
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.GetBuffer().AsMemory(0, (int)output.Length);
    }

    private static (long Revision, KeyValue[] Keys) ReadRoot(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException("not an antietcd data file: the JSON is not an object");
        }

        if (!root.TryGetProperty("state", out var state) || state.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException("not an antietcd data file: no \"state\" object");
        }

        var revision = root.TryGetProperty("mod_revision", out var mod) ? Integer(mod, "mod_revision", "the file") ?? 0 : 0;
        var defaultMod = Math.Max(revision, 1);
        var keys = new List<KeyValue>();

        // Depth-first over the tree with an explicit stack: a deep path cannot exhaust the thread's stack.
        var pending = new Stack<(JsonElement Node, byte[]? Key)>();
        pending.Push((state, null));
        while (pending.Count > 0)
        {
            var (node, key) = pending.Pop();
            var name = key is null ? "the root node" : $"node {Describe(key)}";
            if (node.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{name}: not an object");
            }

            if (node.TryGetProperty("value", out var value))
            {
                var keyMod = Field(node, "mod_revision", name) ?? defaultMod;
                keys.Add(new KeyValue
                {
                    Key = key ?? [],
                    Value = ValueBytes(value),
                    ModRevision = keyMod,
                    CreateRevision = Field(node, "create_revision", name) ?? keyMod,
                    Version = Field(node, "version", name) ?? 1,
                });
            }

            if (!node.TryGetProperty("children", out var children) || children.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (children.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{name}: \"children\" is not an object");
            }

            foreach (var child in children.EnumerateObject())
            {
                pending.Push((child.Value, ChildKey(key, child.Name)));
            }
        }

        return (revision, keys.ToArray());
    }

    /// <summary>The root's children are the first component; every later one follows a '/'.</summary>
    private static byte[] ChildKey(byte[]? parent, string component)
    {
        var name = Encoding.UTF8.GetBytes(component);
        if (parent is null)
        {
            return name;
        }

        var key = new byte[parent.Length + 1 + name.Length];
        parent.CopyTo(key, 0);
        key[parent.Length] = (byte)'/';
        name.CopyTo(key, parent.Length + 1);
        return key;
    }

    private static byte[] ValueBytes(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return Encoding.UTF8.GetBytes(value.GetString()!);
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, CompactJson))
        {
            value.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>An integer field of a node; null when absent or null.</summary>
    private static long? Field(JsonElement node, string field, string name) =>
        node.TryGetProperty(field, out var element) ? Integer(element, field, name) : null;

    private static long? Integer(JsonElement element, string field, string name)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var number))
        {
            throw new InvalidDataException($"{name}: \"{field}\" is not an integer");
        }

        return number;
    }

    private static string Describe(byte[] key) => '"' + Encoding.UTF8.GetString(key) + '"';
}
