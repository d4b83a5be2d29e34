using System.Text;

namespace Golog.Producer;

/// <summary>
/// Cuts stdin text into requests: a JSON object may span several lines (the seed README shows them pretty-printed),
/// so lines are gathered until its braces balance, counting only braces outside strings. Text that does not start
/// a JSON object or array is passed on line by line, so the broker can say what is wrong with it.
/// </summary>
internal sealed class JsonChunker
{
    private readonly StringBuilder _current = new();
    private int _depth;
    private bool _inString;
    private bool _escaped;
    private bool _notJson;
    private char _lastSignificant; // the last character outside strings and whitespace of the request being gathered

    /// <summary>Feeds one line (without its line break); returns the requests it completed, in order.</summary>
    public List<string> AddLine(string line)
    {
        var done = new List<string>();
        // Inside JSON a '{' can only follow '[', ',' or ':'. A line starting one after anything else is a new request:
        // the one gathered so far never closed. Send it alone (the broker says what is wrong with it) rather than
        // swallowing the valid request that follows.
        if (_depth > 0 && !_inString && line.AsSpan().TrimStart().StartsWith("{") && _lastSignificant is not ('[' or ',' or ':'))
            done.Add(Take());
        foreach (char c in line)
        {
            if (_notJson) { _current.Append(c); continue; }
            if (_depth == 0)
            {
                if (char.IsWhiteSpace(c)) continue;
                _current.Append(c);
                _lastSignificant = c;
                if (c is '{' or '[') _depth = 1;
                else _notJson = true;
                continue;
            }

            _current.Append(c);
            if (!_inString && !char.IsWhiteSpace(c)) _lastSignificant = c;
            if (_inString)
            {
                if (_escaped) _escaped = false;
                else if (c == '\\') _escaped = true;
                else if (c == '"') _inString = false;
            }
            else if (c == '"') _inString = true;
            else if (c is '{' or '[') _depth++;
            else if ((c is '}' or ']') && --_depth == 0) done.Add(Take());
        }

        // A JSON string cannot hold a raw line break, so a line that ends inside one can never become valid: send it
        // now and let the broker report it, instead of swallowing every following line.
        if (_notJson || _inString) done.Add(Take());
        else if (_depth > 0) _current.Append('\n');
        return done;
    }

    /// <summary>At end of input: whatever is left (an object that never closed), if anything.</summary>
    public string? Finish() => _current.Length > 0 ? Take() : null;

    private string Take()
    {
        string text = _current.ToString();
        _current.Clear();
        _depth = 0;
        _inString = _escaped = _notJson = false;
        _lastSignificant = '\0';
        return text;
    }
}
