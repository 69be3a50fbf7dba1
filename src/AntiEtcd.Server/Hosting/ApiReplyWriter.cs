using System.Text.Json;
using AntiEtcd.Api;
using AntiEtcd.Api.Json;

namespace AntiEtcd.Server.Hosting;

/// <summary>Writes the response object of an API call as its HTTP body.</summary>
internal static class ApiReplyWriter
{
    public static void Write(Utf8JsonWriter writer, ApiKind kind, object reply)
    {
        switch (reply)
        {
            case RangeResponse r: ApiJsonWriter.Write(writer, r); break;
            case PutResponse r: ApiJsonWriter.Write(writer, r); break;
            case DeleteRangeResponse r: ApiJsonWriter.Write(writer, r); break;
            case TxnResponse r: ApiJsonWriter.Write(writer, r); break;
            case CompactionResponse r: ApiJsonWriter.Write(writer, r); break;
            case LeaseGrantResponse r: ApiJsonWriter.Write(writer, r); break;
            case LeaseRevokeResponse r: ApiJsonWriter.Write(writer, r); break;
            case LeaseKeepAliveResponse r: ApiJsonWriter.WriteKeepAliveResult(writer, r); break;
            case LeaseTimeToLiveResponse r: ApiJsonWriter.Write(writer, r); break;
            case LeaseLeasesResponse r: ApiJsonWriter.Write(writer, r); break;
            case StatusResponse r: ApiJsonWriter.Write(writer, r); break;
            default: throw new InvalidOperationException($"No writer for the reply of {kind}.");
        }
    }
}
