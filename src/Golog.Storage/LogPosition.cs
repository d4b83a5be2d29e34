namespace Golog.Storage;

/// <summary>A point in the log: everything before <see cref="NextOffset"/> lies before <see cref="Position"/> of <see cref="Segment"/>.</summary>
public readonly record struct LogPosition(long NextOffset, Segment Segment, long Position);
