using System.Globalization;
using AntiEtcd.Client;

namespace AntiEtcd.Cli;

/// <content>status (SPEC §12.2).</content>
internal sealed partial class AnticliRunner
{
    private async Task<int> StatusAsync(CancellationToken cancellationToken)
    {
        var endpoints = _client.Endpoints;
        var asks = new Task<ApiResponse>[endpoints.Count];
        for (int i = 0; i < endpoints.Count; i++)
        {
            asks[i] = _client.PostToAsync(endpoints[i], "/v3/maintenance/status", AntiEtcdClient.EmptyBody, cancellationToken);
        }

        int exitCode = 0;
        for (int i = 0; i < endpoints.Count; i++)
        {
            ApiResponse response;
            try
            {
                response = await asks[i];
            }
            catch (AntiEtcdClientException ex)
            {
                ReportErrors(ex);
                exitCode = 1;
                continue;
            }

            if (_line.Json)
            {
                await WriteLineAsync(response.Body, cancellationToken);
                continue;
            }

            var s = ApiResponseReader.ReadStatusResponse(response.Body);
            string leader = s.LeaderNodeId.Length > 0 ? s.LeaderNodeId : "none";
            await WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{endpoints[i].OriginalString}: node {s.NodeId}, {s.RaftState}, leader {leader}, term {s.RaftTerm}, revision {s.Header.Revision}, raft index {s.RaftIndex}, applied {s.RaftAppliedIndex}, db size {s.DbSize}, version {s.Version}"),
                cancellationToken);
        }

        return exitCode;
    }
}
