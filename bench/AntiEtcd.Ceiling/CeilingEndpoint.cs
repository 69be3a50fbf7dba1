using Microsoft.AspNetCore.Http;

namespace AntiEtcd.Ceiling;

/// <summary>The one handler of the ceiling app: drain the request body, answer a fixed JSON object.</summary>
internal static class CeilingEndpoint
{
    /// <summary>
    /// The size and shape of an etcd put response (SPEC: <c>{"header":{...}}</c>, ~114 bytes), so the
    /// ceiling writes as many bytes as antietcd does for a put.
    /// </summary>
    private static readonly byte[] s_response =
        """{"header":{"cluster_id":"2037210783374497686","member_id":"13195394291058371180","revision":"18","raft_term":"2"}}"""u8.ToArray();

    public static async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (!HttpMethods.IsPost(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        // Read the body to its end, as a real handler must before it can decode JSON.
        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(context.RequestAborted);
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted || read.IsCanceled)
            {
                break;
            }
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = s_response.Length;
        await response.Body.WriteAsync(s_response, context.RequestAborted);
    }
}
