using System.Text;
using System.Text.Json;
using AntiEtcd.Api.Json;

namespace AntiEtcd.Api.Tests;

/// <summary>Small helpers shared by the codec tests.</summary>
internal static class TestJson
{
    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static string Encode<T>(T response, Action<Utf8JsonWriter, T> write) =>
        Encoding.UTF8.GetString(ApiJsonWriter.ToUtf8Bytes(response, write));

    /// <summary>The message of the <see cref="ApiDecodeException"/> thrown by <paramref name="decode"/>.</summary>
    public static string DecodeError(Action decode)
    {
        var e = Assert.Throws<ApiDecodeException>(decode);
        return e.Message;
    }

    public static string RangeError(string body) => DecodeError(() => ApiJsonReader.ReadRangeRequest(Utf8(body), out _));

    public static string PutError(string body) => DecodeError(() => ApiJsonReader.ReadPutRequest(Utf8(body), out _));

    public static string TxnError(string body) => DecodeError(() => ApiJsonReader.ReadTxnRequest(Utf8(body), out _));

    public static RangeRequest Range(string body) => ApiJsonReader.ReadRangeRequest(Utf8(body), out _);

    public static PutRequest Put(string body) => ApiJsonReader.ReadPutRequest(Utf8(body), out _);

    public static TxnRequest Txn(string body) => ApiJsonReader.ReadTxnRequest(Utf8(body), out _);

    public static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);
}
