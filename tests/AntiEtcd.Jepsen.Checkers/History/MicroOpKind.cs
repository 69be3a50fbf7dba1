namespace AntiEtcd.Jepsen.Checkers.History;

/// <summary>A step of a list-append transaction.</summary>
public enum MicroOpKind
{
    /// <summary>Read the whole list stored at a key.</summary>
    Read,

    /// <summary>Append one unique element to the list at a key.</summary>
    Append,
}
