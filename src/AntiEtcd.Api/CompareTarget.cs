namespace AntiEtcd.Api;

/// <summary>etcd <c>Compare_CompareTarget</c>; the numeric values are the wire values.</summary>
public enum CompareTarget
{
    /// <summary>Compare the version.</summary>
    Version = 0,

    /// <summary>Compare the create revision.</summary>
    Create = 1,

    /// <summary>Compare the mod revision.</summary>
    Mod = 2,

    /// <summary>Compare the value bytes.</summary>
    Value = 3,

    /// <summary>Compare the attached lease.</summary>
    Lease = 4,
}
