using System.Text;

namespace AntiEtcd.Server.Tests;

/// <summary>Small helpers for writing expected JSON the way SPEC §15 does.</summary>
public static class Etcd
{

    public static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>The full header of the node <paramref name="server"/> at a revision.</summary>
    public static string H(AntiEtcdServer server, long revision) =>
        $"{{\"cluster_id\":\"{server.ClusterId}\",\"member_id\":\"{server.MemberId}\",\"revision\":\"{revision}\",\"raft_term\":\"1\"}}";

    public static string Error(string message, int code) => $"{{\"error\":\"{message}\",\"message\":\"{message}\",\"code\":{code}}}";
}
