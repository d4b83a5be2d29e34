namespace Golog.Storage;

/// <summary>Stored bytes failed validation (CRC, framing) where they should have been whole: never served as data.</summary>
public sealed class CorruptLogException(string message) : IOException(message);
