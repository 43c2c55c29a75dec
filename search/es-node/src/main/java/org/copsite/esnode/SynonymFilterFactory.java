package org.copsite.esnode;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.text.ParseException;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymFilter;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.analysis.synonym.WordnetSynonymParser;
import org.apache.lucene.util.CharsRef;
import org.apache.lucene.util.CharsRefBuilder;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexService.IndexCreationContext;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.IndexVersions;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalysisMode;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.CustomAnalyzer;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.synonyms.SynonymsManagementAPIService;

/**
 * The {@code synonym} and {@code synonym_graph} token filters of analysis-common, on Lucene's
 * {@link SynonymFilter} / {@link SynonymGraphFilter}.
 *
 * Settings, as in a stock Elasticsearch 8:
 * - exactly one rules source: {@code synonyms} (inline list), {@code synonyms_path} (a file, relative to the
 *   node's config directory, UTF-8, one rule a line) or {@code synonyms_set} (a set stored with the
 *   {@code PUT _synonyms/NAME} API; search-time only, so it needs {@code updateable: true});
 * - {@code format}: {@code solr} (default: "a, b, c" equivalences and "a, b => c" mappings) or {@code wordnet};
 * - {@code expand} (default true): whether "a, b, c" maps every term to all the others, or all to the first;
 * - {@code lenient} (default false, true for updateable filters): skip rules that cannot be analysed (a term
 *   that the chain removes, such as a stop word) instead of failing the index;
 * - {@code updateable} (default false): search-time only, reloadable with {@code POST INDEX/_reload_search_analyzers}
 *   (checked with synonyms_path: edit the file, reload, and the new rules apply).
 *
 * On this test node {@code synonyms_set} is wired as on a stock node (the server loads the set when it reloads the
 * search analyzers after creating the index), but sets cannot be created: {@code PUT _synonyms/NAME} fails with
 * "failed to find action [indices:data/write/delete/byquery]", because delete-by-query lives in the reindex module,
 * which the Maven Central distribution lacks too. Use inline {@code synonyms} or {@code synonyms_path} here.
 *
 * The rules are analysed like analysis-common does it, with no known limitation: the server hands the filter the
 * analyser chain it sits in ({@link #getChainAwareTokenFilterFactory}), and each rule's terms go through that
 * chain's char filters, tokenizer and the token filters <em>before</em> the synonym filter (each filter as its
 * {@link TokenFilterFactory#getSynonymFilter()} variant: earlier synonym filters are skipped, and filters that
 * cannot parse synonyms, such as n-grams or word_delimiter_graph, make the index fail, as they do on a stock node).
 * So with "standard -> lowercase -> synonym_graph", "NI14, National Indicator 14" is stored as "ni14" and
 * "national indicator 14", matching what the tokenizer and lowercase produce from the text.
 */
final class SynonymFilterFactory extends AbstractTokenFilterFactory {

    private static final Logger LOGGER = LogManager.getLogger(SynonymFilterFactory.class);

    private final boolean graph;
    private final Environment environment;
    private final Settings settings;
    private final String format;
    private final boolean expand;
    private final boolean lenient;
    private final AnalysisMode analysisMode;
    private final Supplier<SynonymsManagementAPIService> synonymsService;

    SynonymFilterFactory(
        boolean graph,
        IndexSettings indexSettings,
        Environment environment,
        String name,
        Settings settings,
        Supplier<SynonymsManagementAPIService> synonymsService
    ) {
        super(name, settings);
        this.graph = graph;
        this.environment = environment;
        this.settings = settings;
        this.synonymsService = synonymsService;
        this.format = settings.get("format", "");
        if (format.isEmpty() == false && "solr".equalsIgnoreCase(format) == false && "wordnet".equalsIgnoreCase(format) == false) {
            throw new IllegalArgumentException("synonym format [" + format + "] is not supported: use [solr] or [wordnet]");
        }
        this.expand = settings.getAsBoolean("expand", true);
        boolean updateable = settings.getAsBoolean("updateable", false);
        this.lenient = settings.getAsBoolean(
            "lenient",
            updateable && indexSettings.getIndexVersionCreated().onOrAfter(IndexVersions.LENIENT_UPDATEABLE_SYNONYMS)
        );
        this.analysisMode = updateable ? AnalysisMode.SEARCH_TIME : AnalysisMode.ALL;
        // Fail at index creation, not at the first analysis, when no source is given.
        source();
    }

    @Override
    public AnalysisMode getAnalysisMode() {
        return analysisMode;
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        // The server always specialises the factory for its analyser chain first.
        throw new IllegalStateException("synonym filter [" + name() + "] used outside an analyzer chain");
    }

    @Override
    public TokenFilterFactory getChainAwareTokenFilterFactory(
        IndexCreationContext context,
        TokenizerFactory tokenizer,
        List<CharFilterFactory> charFilters,
        List<TokenFilterFactory> previousTokenFilters,
        Function<String, TokenFilterFactory> allFilters
    ) {
        Rules rules = readRules(context);
        SynonymMap synonyms;
        // The chain before this filter, with each filter's synonym-parsing variant.
        try (
            Analyzer ruleAnalyzer = new CustomAnalyzer(
                tokenizer,
                charFilters.toArray(new CharFilterFactory[0]),
                previousTokenFilters.stream().map(TokenFilterFactory::getSynonymFilter).toArray(TokenFilterFactory[]::new)
            )
        ) {
            synonyms = buildSynonyms(ruleAnalyzer, rules);
        }
        String name = name();
        boolean graph = this.graph;
        AnalysisMode mode = analysisMode;
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream in) {
                if (synonyms.fst == null) {
                    return in; // no rules
                }
                return graph ? new SynonymGraphFilter(in, synonyms, false) : new SynonymFilter(in, synonyms, false);
            }

            @Override
            public TokenFilterFactory getSynonymFilter() {
                // A later synonym filter in the same chain parses its rules without this one.
                return IDENTITY_FILTER;
            }

            @Override
            public AnalysisMode getAnalysisMode() {
                return mode;
            }

            @Override
            public String getResourceName() {
                return rules.resource();
            }
        };
    }

    // ------------------------------------------------------------------ rules

    private enum Source {
        INLINE,
        FILE,
        SYNONYMS_SET
    }

    private record Rules(Reader reader, String origin, String resource) {}

    private Source source() {
        if (settings.hasValue("synonyms")) {
            return Source.INLINE;
        }
        if (settings.hasValue("synonyms_set")) {
            return Source.SYNONYMS_SET;
        }
        if (settings.hasValue("synonyms_path")) {
            return Source.FILE;
        }
        throw new IllegalArgumentException("synonym requires either `synonyms`, `synonyms_set` or `synonyms_path` to be configured");
    }

    private Rules readRules(IndexCreationContext context) {
        switch (source()) {
            case INLINE -> {
                StringBuilder text = new StringBuilder();
                for (String rule : Analysis.getWordList(environment, settings, "synonyms")) {
                    text.append(rule).append('\n');
                }
                return new Rules(new StringReader(text.toString()), "'" + name() + "' analyzer settings", null);
            }
            case FILE -> {
                String path = settings.get("synonyms_path");
                // Resolved against the node's config directory; "synonyms" because the server appends "_path".
                return new Rules(Analysis.getReaderFromFile(environment, path, "synonyms"), path, null);
            }
            default -> {
                String set = settings.get("synonyms_set");
                if (analysisMode != AnalysisMode.SEARCH_TIME) {
                    throw new IllegalArgumentException(
                        "Can't apply [synonyms_set]! Loading synonyms from index is supported only for search time synonyms!"
                    );
                }
                // As on a stock node: empty rules while the index is created or verified (never block the master),
                // the stored set when the server (re)loads the search analyzers.
                if (context != IndexCreationContext.RELOAD_ANALYZERS) {
                    return new Rules(new StringReader(""), "fake empty [" + set + "] synonyms_set in .synonyms index", set);
                }
                SynonymsManagementAPIService service = synonymsService.get();
                if (service == null) {
                    throw new IllegalStateException("the synonyms service is not available yet");
                }
                return new Rules(Analysis.getReaderFromIndex(set, service, lenient), "[" + set + "] synonyms_set in .synonyms index", set);
            }
        }
    }

    private SynonymMap buildSynonyms(Analyzer analyzer, Rules rules) {
        try {
            if ("wordnet".equalsIgnoreCase(format)) {
                LenientWordnetParser parser = new LenientWordnetParser(expand, lenient, analyzer);
                parser.parse(rules.reader());
                return parser.build();
            }
            LenientSolrParser parser = new LenientSolrParser(expand, lenient, analyzer);
            parser.parse(rules.reader());
            return parser.build();
        } catch (IOException | ParseException | RuntimeException e) {
            throw new IllegalArgumentException("failed to build synonyms from [" + rules.origin() + "]", e);
        }
    }

    /*
     * Lenient parsing: a term that the chain cannot analyse (Lucene throws IllegalArgumentException, e.g. a stop
     * word removed by a stop filter before the synonym filter) becomes empty, and rules with an empty side are
     * dropped instead of failing the whole index. The same two overrides for each of Lucene's two parsers.
     */

    private static CharsRef analyzeLeniently(boolean lenient, String text, ParserCall call) throws IOException {
        try {
            return call.analyze();
        } catch (IllegalArgumentException e) {
            if (lenient == false) {
                throw e;
            }
            LOGGER.info("Synonym rule for [{}] was ignored", text);
            return new CharsRef("");
        }
    }

    @FunctionalInterface
    private interface ParserCall {
        CharsRef analyze() throws IOException;
    }

    private static final class LenientSolrParser extends SolrSynonymParser {
        private final boolean lenient;

        LenientSolrParser(boolean expand, boolean lenient, Analyzer analyzer) {
            super(true, expand, analyzer);
            this.lenient = lenient;
        }

        @Override
        public CharsRef analyze(String text, CharsRefBuilder reuse) throws IOException {
            return analyzeLeniently(lenient, text, () -> super.analyze(text, reuse));
        }

        @Override
        public void add(CharsRef input, CharsRef output, boolean includeOrig) {
            if (lenient == false || (input.length > 0 && output.length > 0)) {
                super.add(input, output, includeOrig);
            }
        }
    }

    private static final class LenientWordnetParser extends WordnetSynonymParser {
        private final boolean lenient;

        LenientWordnetParser(boolean expand, boolean lenient, Analyzer analyzer) {
            super(true, expand, analyzer);
            this.lenient = lenient;
        }

        @Override
        public CharsRef analyze(String text, CharsRefBuilder reuse) throws IOException {
            return analyzeLeniently(lenient, text, () -> super.analyze(text, reuse));
        }

        @Override
        public void add(CharsRef input, CharsRef output, boolean includeOrig) {
            if (lenient == false || (input.length > 0 && output.length > 0)) {
                super.add(input, output, includeOrig);
            }
        }
    }
}
