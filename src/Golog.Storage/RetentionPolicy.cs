namespace Golog.Storage;

/// <summary>
/// When a closed segment may be deleted (Kafka's retention.ms and retention.bytes). Either limit alone deletes;
/// null means no limit of that kind. Only ever applied to closed segments, oldest first.
/// </summary>
public sealed record RetentionPolicy(TimeSpan? MaxAge, long? MaxBytes)
{
    public static readonly RetentionPolicy KeepForever = new(null, null);

    public bool DeletesAnything => MaxAge is not null || MaxBytes is not null;

    /// <summary>
    /// True when <paramref name="segment"/> (the oldest left, with <paramref name="logBytes"/> in the whole log
    /// counting it) is past the age limit, or the log would still hold at least <see cref="MaxBytes"/> without it.
    /// The size rule is Kafka's: the log never shrinks below the limit, so it stays within limit + one segment.
    /// Age is the time since the segment's last write: a closed segment's .log is not written after its roll.
    /// </summary>
    public bool Expired(Segment segment, long logBytes, DateTime nowUtc) =>
        (MaxBytes is { } maxBytes && logBytes - segment.Size >= maxBytes)
        || (MaxAge is { } maxAge && nowUtc - segment.LastWriteUtc > maxAge);

    public override string ToString() =>
        $"age {(MaxAge is { } a ? a.ToString() : "unlimited")}, bytes {(MaxBytes is { } b ? b.ToString() : "unlimited")}";
}
