namespace AntiEtcd.Api;

/// <summary>How a watch stream message failed before any request in it was looked at (SPEC §7.2).</summary>
public enum WatchMessageError
{
    /// <summary>The message is a JSON object; its requests are in the other properties.</summary>
    None = 0,

    /// <summary>Not valid JSON, or a truthy value that is not an object: reply <c>{"error":"bad-json"}</c>.</summary>
    BadJson = 1,

    /// <summary><c>null</c>, <c>false</c>, <c>0</c> or <c>""</c>: reply <c>{"error":"empty-message"}</c>.</summary>
    EmptyMessage = 2,
}
