using Akka.Configuration;

namespace Golog.Core;

/// <summary>
/// Reads a golog.* key that must be present. Every key has its one default in hocon/golog.hocon, which is the
/// fallback of every configuration the broker (and its tests) run, so a missing key is a programming error, not
/// a reason to guess a value: Akka's getters would quietly return 0, "" or false.
/// </summary>
public static class RequiredConfig
{
    public static string String(this Config golog, string key) => Present(golog, key).GetString(key);
    public static int Int(this Config golog, string key) => Present(golog, key).GetInt(key);
    public static long Long(this Config golog, string key) => Present(golog, key).GetLong(key);
    public static bool Boolean(this Config golog, string key) => Present(golog, key).GetBoolean(key);
    public static TimeSpan Duration(this Config golog, string key) => Present(golog, key).GetTimeSpan(key);
    public static long Bytes(this Config golog, string key) => Present(golog, key).GetByteSize(key)!.Value;

    private static Config Present(Config golog, string key) =>
        golog.HasPath(key) ? golog
            : throw new InvalidOperationException($"golog.{key} is missing from the configuration: its default belongs in hocon/golog.hocon, which every configuration must fall back to");
}
