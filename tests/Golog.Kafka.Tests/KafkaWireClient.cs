using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Golog.Kafka.Tests;

/// <summary>
/// A raw Kafka-protocol socket for tests that need exact bytes: hand-built requests (header v1), whole response
/// frames back. Real clients (kcat, Confluent.Kafka, KafkaJS) cover the normal paths; this covers what they never send.
/// </summary>
public sealed class KafkaWireClient : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(20);
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private KafkaWireClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<KafkaWireClient> ConnectAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("localhost", port);
        return new KafkaWireClient(tcp);
    }

    /// <summary>A request frame: size, header v1 (key, version, correlation id, client id "test"), then <paramref name="body"/>.</summary>
    public static byte[] Request(short apiKey, short version, int correlationId, ReadOnlySpan<byte> body, bool flexibleHeader = false)
    {
        var header = new RequestBody().Int16(apiKey).Int16(version).Int32(correlationId).String("test");
        if (flexibleHeader) header.Int8(0);
        var head = header.ToArray();
        var frame = new byte[4 + head.Length + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, head.Length + body.Length);
        head.CopyTo(frame, 4);
        body.CopyTo(frame.AsSpan(4 + head.Length));
        return frame;
    }

    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>The next response frame without its size: correlation id first.</summary>
    public async Task<byte[]> ReceiveAsync()
    {
        using var cts = new CancellationTokenSource(ReadTimeout);
        var size = new byte[4];
        await _stream.ReadExactlyAsync(size, cts.Token);
        var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
        await _stream.ReadExactlyAsync(frame, cts.Token);
        return frame;
    }

    /// <summary>True when the broker closed the connection (end of stream) before sending anything more.</summary>
    public async Task<bool> ClosedByBrokerAsync()
    {
        using var cts = new CancellationTokenSource(ReadTimeout);
        var one = new byte[1];
        try { return await _stream.ReadAsync(one, cts.Token) == 0; }
        catch (IOException) { return true; } // reset
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Builds a request body (or header) in Kafka's big-endian primitive types.</summary>
public sealed class RequestBody
{
    private readonly MemoryStream _bytes = new();

    public RequestBody Int8(sbyte v) { _bytes.WriteByte((byte)v); return this; }
    public RequestBody Int16(short v) { Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteInt16BigEndian(b, v); _bytes.Write(b); return this; }
    public RequestBody Int32(int v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteInt32BigEndian(b, v); _bytes.Write(b); return this; }
    public RequestBody Int64(long v) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteInt64BigEndian(b, v); _bytes.Write(b); return this; }
    public RequestBody String(string s) { var u = Encoding.UTF8.GetBytes(s); Int16((short)u.Length); _bytes.Write(u); return this; }
    public RequestBody NullString() => Int16(-1);
    public RequestBody Bytes(byte[] b) { Int32(b.Length); _bytes.Write(b); return this; }
    public RequestBody Raw(ReadOnlySpan<byte> b) { _bytes.Write(b); return this; }
    public byte[] ToArray() => _bytes.ToArray();
}

/// <summary>Reads a response body field by field.</summary>
public sealed class ResponseReader(byte[] bytes, int start = 0)
{
    private int _at = start;

    public int Remaining => bytes.Length - _at;
    public sbyte Int8() => (sbyte)bytes[_at++];
    public short Int16() { var v = BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(_at)); _at += 2; return v; }
    public int Int32() { var v = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(_at)); _at += 4; return v; }
    public long Int64() { var v = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(_at)); _at += 8; return v; }
    public string? String() { short n = Int16(); if (n < 0) return null; var s = Encoding.UTF8.GetString(bytes, _at, n); _at += n; return s; }
    public byte[]? Bytes() { int n = Int32(); if (n < 0) return null; var b = bytes[_at..(_at + n)]; _at += n; return b; }
    public uint UVarint() { uint v = 0; for (int s = 0; ; s += 7) { byte b = bytes[_at++]; v |= (uint)(b & 0x7F) << s; if ((b & 0x80) == 0) return v; } }
}
