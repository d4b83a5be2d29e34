using System.Threading.Channels;
using Golog.Client;

namespace Golog.Producer;

/// <summary>
/// --topic mode: every stdin line is one message. Requests are pipelined (up to <see cref="MaxInFlight"/> waiting
/// for their acks) and acks are printed in input order, as soon as each arrives, so interactive use sees every ack
/// right after its line.
/// </summary>
internal sealed class TopicProducer(GologClient client, ProducerOptions options, TextWriter output, TextWriter errors)
{
    private const int MaxInFlight = 64;

    /// <summary>Returns how many messages the broker refused. Throws <see cref="BrokerUnavailableException"/> if the connection is lost.</summary>
    public async Task<int> RunAsync(TextReader input)
    {
        // Bounded: writing the 65th outstanding request waits until the oldest ack was printed.
        var inFlight = Channel.CreateBounded<Task<ProduceResult>>(new BoundedChannelOptions(MaxInFlight)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        var printer = PrintAcksAsync(inFlight.Reader);

        var reading = Task.Run(async () =>
        {
            while (await input.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                var produce = client.ProduceAsync(options.Topic!, options.Partition, line, options.Key);
                if (!inFlight.Writer.TryWrite(produce)) await inFlight.Writer.WriteAsync(produce).ConfigureAwait(false);
            }
            inFlight.Writer.TryComplete();
        });

        // If the broker goes away the printer fails first; stdin may be blocked on a terminal, so do not wait for it.
        var first = await Task.WhenAny(printer, reading).ConfigureAwait(false);
        if (first == reading && reading.IsFaulted) inFlight.Writer.TryComplete();
        int refused = await printer.ConfigureAwait(false);
        if (reading.IsFaulted) await reading.ConfigureAwait(false); // e.g. stdin could not be read: report it
        return refused;
    }

    private async Task<int> PrintAcksAsync(ChannelReader<Task<ProduceResult>> acks)
    {
        int refused = 0;
        try
        {
            await foreach (var produce in acks.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    var r = await produce.ConfigureAwait(false);
                    await output.WriteLineAsync($"ack partition {r.Partition} offset {r.BaseOffset}").ConfigureAwait(false);
                }
                catch (GologException e)
                {
                    refused++;
                    await output.FlushAsync().ConfigureAwait(false);
                    await errors.WriteLineAsync($"error: {e.Message} ({e.Code})").ConfigureAwait(false);
                }
                // Flush when caught up (interactive use) rather than per line (piped bulk input).
                if (acks.Count == 0) await output.FlushAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await output.FlushAsync().ConfigureAwait(false);
        }
        return refused;
    }
}
