using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace DataSpace.Api.Features.Interop;

/// <summary>
/// A small RDF graph of IRIs and literals that writes itself as Turtle and as JSON-LD (a flattened @graph whose keys are
/// compact IRIs of <see cref="Prefixes"/>), so both representations of a feed page hold exactly the same triples.
/// </summary>
internal sealed class RdfGraph
{
    /// <summary>An object: an IRI (Iri set) or a literal with a datatype IRI or a language.</summary>
    public readonly record struct Term(string? Iri, string? Value, string? Datatype = null, string? Language = null)
    {
        public static Term Node(string iri) => new(iri, null);

        public static Term Text(string value, string? language = "zh") => new(null, value, null, language);

        public static Term Typed(string value, string datatype) => new(null, value, datatype);

        public static Term Instant(DateTimeOffset at) =>
            Typed(at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture), Xsd + "dateTime");
    }

    public const string Rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    public const string Xsd = "http://www.w3.org/2001/XMLSchema#";

    public static readonly IReadOnlyDictionary<string, string> Prefixes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["rdf"] = Rdf,
        ["rdfs"] = "http://www.w3.org/2000/01/rdf-schema#",
        ["xsd"] = Xsd,
        ["dcat"] = "http://www.w3.org/ns/dcat#",
        ["dct"] = "http://purl.org/dc/terms/",
        ["foaf"] = "http://xmlns.com/foaf/0.1/",
        ["vcard"] = "http://www.w3.org/2006/vcard/ns#",
        ["skos"] = "http://www.w3.org/2004/02/skos/core#",
        ["spdx"] = "http://spdx.org/rdf/terms#",
        ["hydra"] = "http://www.w3.org/ns/hydra/core#",
        ["odrl"] = "http://www.w3.org/ns/odrl/2/",
        ["adms"] = "http://www.w3.org/ns/adms#",
    };

    private readonly Dictionary<string, List<(string Predicate, Term Object)>> _subjects = new(StringComparer.Ordinal);

    /// <summary>Adds a triple; the predicate is a compact IRI such as <c>dct:title</c>, or <c>a</c> for rdf:type.</summary>
    public RdfGraph Add(string subject, string predicate, Term value)
    {
        if (!_subjects.TryGetValue(subject, out var list))
        {
            _subjects[subject] = list = [];
        }

        // A graph is a set: the same triple added twice (a media type shared by files) is kept once.
        var triple = (predicate == "a" ? "rdf:type" : predicate, value);
        if (!list.Contains(triple))
        {
            list.Add(triple);
        }

        return this;
    }

    public RdfGraph Type(string subject, string compactClass) => Add(subject, "a", Term.Node(Expand(compactClass)));

    public static string Expand(string compact)
    {
        var colon = compact.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && Prefixes.TryGetValue(compact[..colon], out var ns) ? ns + compact[(colon + 1)..] : compact;
    }

    public string ToTurtle()
    {
        var text = new StringBuilder();
        foreach (var (prefix, ns) in Prefixes)
        {
            text.Append("@prefix ").Append(prefix).Append(": <").Append(ns).Append("> .\n");
        }

        foreach (var (subject, triples) in _subjects)
        {
            text.Append('\n').Append(IriRef(subject));
            var first = true;
            foreach (var group in triples.GroupBy(t => t.Predicate, StringComparer.Ordinal))
            {
                text.Append(first ? "\n    " : " ;\n    ").Append(group.Key == "rdf:type" ? "a" : group.Key).Append(' ');
                text.AppendJoin(", ", group.Select(t => TurtleTerm(t.Object)));
                first = false;
            }

            text.Append(" .\n");
        }

        return text.ToString();
    }

    public JsonObject ToJsonLd()
    {
        var context = new JsonObject();
        foreach (var (prefix, ns) in Prefixes)
        {
            context[prefix] = ns;
        }

        var graph = new JsonArray();
        foreach (var (subject, triples) in _subjects)
        {
            var node = new JsonObject { ["@id"] = subject };
            foreach (var group in triples.GroupBy(t => t.Predicate, StringComparer.Ordinal))
            {
                node[group.Key == "rdf:type" ? "@type" : group.Key] = group.Key == "rdf:type"
                    ? new JsonArray([.. group.Select(t => (JsonNode)t.Object.Iri!)])
                    : new JsonArray([.. group.Select(t => (JsonNode)JsonLdTerm(t.Object))]);
            }

            graph.Add(node);
        }

        return new JsonObject { ["@context"] = context, ["@graph"] = graph };
    }

    private static JsonObject JsonLdTerm(Term t) =>
        t.Iri is not null ? new JsonObject { ["@id"] = t.Iri }
        : t.Language is not null ? new JsonObject { ["@value"] = t.Value, ["@language"] = t.Language }
        : t.Datatype is not null ? new JsonObject { ["@value"] = t.Value, ["@type"] = t.Datatype }
        : new JsonObject { ["@value"] = t.Value };

    private static string TurtleTerm(Term t) =>
        t.Iri is not null ? IriRef(t.Iri)
        : "\"" + Escape(t.Value!) + "\"" + (t.Language is not null ? "@" + t.Language : t.Datatype is not null ? "^^" + IriRef(t.Datatype) : "");

    private static string IriRef(string iri)
    {
        var text = new StringBuilder("<", iri.Length + 2);
        foreach (var c in iri)
        {
            // Characters Turtle's IRIREF refuses are percent-encoded (they are never in the IRIs built here, but a path could hold one).
            text.Append(c is <= ' ' or '<' or '>' or '"' or '{' or '}' or '|' or '^' or '`' or '\\' ? "%" + ((int)c).ToString("X2", CultureInfo.InvariantCulture) : c);
        }

        return text.Append('>').ToString();
    }

    private static string Escape(string value)
    {
        var text = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '\\' => @"\\",
                '"' => "\\\"",
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                _ when char.IsControl(c) => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return text.ToString();
    }
}
