namespace Golog.Protocol;

/// <summary>
/// The bytes a connection received and has not consumed yet (the broker's connection actors, the clients'
/// <see cref="LineFramer"/>). Starts small and grows on demand (thousands of mostly idle connections must not cost
/// 64 KiB each); consumed bytes are dropped from the front by compacting, so the unconsumed input is one span.
/// Not thread-safe.
/// </summary>
public sealed class InputBuffer(int initialCapacity)
{
    private byte[] _buffer = new byte[initialCapacity];
    private int _start;
    private int _end;

    public int Length => _end - _start;
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(_start, _end - _start);
    /// <summary>The unconsumed bytes; valid until the next <see cref="Append"/>.</summary>
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(_start, _end - _start);

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_buffer.Length - _end < data.Length)
        {
            int live = _end - _start;
            if (_buffer.Length - live < data.Length)
            {
                var bigger = new byte[Math.Max(_buffer.Length * 2, live + data.Length)];
                Buffer.BlockCopy(_buffer, _start, bigger, 0, live);
                _buffer = bigger;
            }
            else Buffer.BlockCopy(_buffer, _start, _buffer, 0, live);
            _start = 0;
            _end = live;
        }
        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }

    public void Consume(int count)
    {
        _start += count;
        if (_start == _end) _start = _end = 0;
    }

    public void Clear() => _start = _end = 0;
}
