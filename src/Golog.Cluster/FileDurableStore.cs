using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.DistributedData.Durable;
using Akka.Event;
using Akka.Serialization;
using Golog.Storage;

namespace Golog.Cluster;

/// <summary>
/// Distributed Data's durable store (its documented plug-in point, akka.cluster.distributed-data.durable.store-actor-class)
/// on plain files: each durable key is one file under golog-file.dir holding the entry as Akka serializes it,
/// replaced atomically (temp file, fsync, rename, directory fsync) on every change, so a node restarted after a crash
/// or a power cut loads the metadata it last acknowledged. Akka's own LMDB store cannot run here: the LightningDB
/// versions on the package registry no longer have the API Akka.DistributedData.LightningDB 1.5.75 calls. The
/// metadata changes rarely (topic creation, leader and ISR changes), so a file per write is cheap.
/// </summary>
public sealed class FileDurableStore : ReceiveActor
{
    private const string Suffix = ".ddata";
    private readonly string _directory;
    private readonly Akka.Serialization.Serialization _serialization = Context.System.Serialization;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public FileDurableStore(Config config)
    {
        _directory = config.GetString("golog-file.dir") ?? throw new ConfigurationException("golog-file.dir is not set");
        Receive<LoadAll>(_ => LoadAll());
        Receive<Store>(Store);
    }

    private void LoadAll()
    {
        Directory.CreateDirectory(_directory);
        var data = ImmutableDictionary.CreateBuilder<string, DurableDataEnvelope>();
        foreach (var path in Directory.GetFiles(_directory, "*" + Suffix))
        {
            try { data[Uri.UnescapeDataString(Path.GetFileName(path)[..^Suffix.Length])] = Decode(File.ReadAllBytes(path)); }
            catch (Exception e) when (e is IOException or SerializationException or ArgumentException)
            {
                throw new LoadFailedException($"cluster metadata file {path} cannot be read: {e.Message}", e);
            }
        }
        if (data.Count > 0) Sender.Tell(new LoadData(data.ToImmutable()));
        Sender.Tell(LoadAllCompleted.Instance);
        _log.Info("Loaded {Entries} cluster metadata entries from {Directory}", data.Count, _directory);
    }

    private void Store(Store store)
    {
        var path = Path.Combine(_directory, Uri.EscapeDataString(store.Key) + Suffix);
        try
        {
            StorageLayout.ReplaceAtomically(DiskFileSystem.Instance, path, path + ".tmp", Encode(store.Data));
            if (store.Reply is { } reply) reply.ReplyTo.Tell(reply.SuccessMessage);
        }
        catch (IOException e)
        {
            _log.Error(e, "Could not store cluster metadata entry {Key}", store.Key);
            if (store.Reply is { } reply) reply.ReplyTo.Tell(reply.FailureMessage);
        }
    }

    // serializer id, manifest length, manifest, payload
    private byte[] Encode(DurableDataEnvelope envelope)
    {
        var serializer = _serialization.FindSerializerFor(envelope);
        var manifest = Encoding.UTF8.GetBytes(Akka.Serialization.Serialization.ManifestFor(serializer, envelope));
        var payload = serializer.ToBinary(envelope);
        var bytes = new byte[8 + manifest.Length + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, serializer.Identifier);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), manifest.Length);
        manifest.CopyTo(bytes.AsSpan(8));
        payload.CopyTo(bytes.AsSpan(8 + manifest.Length));
        return bytes;
    }

    private DurableDataEnvelope Decode(byte[] bytes)
    {
        if (bytes.Length < 8) throw new SerializationException("file too short");
        int id = BinaryPrimitives.ReadInt32BigEndian(bytes);
        int manifestLength = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        if (manifestLength < 0 || 8 + manifestLength > bytes.Length) throw new SerializationException("damaged header");
        var manifest = Encoding.UTF8.GetString(bytes, 8, manifestLength);
        return (DurableDataEnvelope)_serialization.Deserialize(bytes[(8 + manifestLength)..], id, manifest);
    }
}
