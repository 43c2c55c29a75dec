package org.copsite.esnode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.charfilter.HTMLStripCharFilter;
import org.apache.lucene.analysis.classic.ClassicTokenizer;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.LetterTokenizer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.KeywordRepeatFilter;
import org.apache.lucene.analysis.miscellaneous.TrimFilter;
import org.apache.lucene.analysis.miscellaneous.TruncateTokenFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterIterator;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenizer;
import org.apache.lucene.analysis.ngram.NGramTokenFilter;
import org.apache.lucene.analysis.ngram.NGramTokenizer;
import org.apache.lucene.analysis.pattern.PatternTokenizer;
import org.apache.lucene.analysis.shingle.ShingleFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.util.SetOnce;
import org.elasticsearch.Build;
import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.regex.Regex;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.env.Environment;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.AbstractTokenizerFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.PreConfiguredCharFilter;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.index.analysis.PreConfiguredTokenizer;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.lucene.analysis.miscellaneous.DisableGraphAttribute;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.synonyms.SynonymsManagementAPIService;
import org.elasticsearch.xcontent.XContentBuilder;
import org.tartarus.snowball.ext.EnglishStemmer;

import static org.elasticsearch.plugins.AnalysisPlugin.requiresAnalysisSettings;

/**
 * The two pieces of a stock Elasticsearch 8 node that the Maven Central distribution
 * (org.elasticsearch.distribution.integ-test-zip) leaves out, because Elastic does not publish
 * those modules to Maven Central:
 *
 * - rest-root: the "GET /" node banner that clients call through info();
 * - analysis-common: the english analyzer and the token filters, tokenizers, analyzers and char
 *   filters that the search backends reference, with the names and settings of a stock node:
 *   - token filters: asciifolding, ngram, edge_ngram, stemmer (English languages), porter_stem, kstem,
 *     lowercase (configurable, with language), synonym and synonym_graph (SynonymFilterFactory),
 *     trim, truncate, unique, remove_duplicates, keyword_repeat, flatten_graph, word_delimiter_graph,
 *     and pre-configured stop (_english_) and shingle; the server has the configurable stop and
 *     shingle, hunspell, and the pre-configured lowercase;
 *   - tokenizers: ngram, edge_ngram, whitespace, keyword, letter, classic, uax_url_email, pattern
 *     (the server has standard);
 *   - analyzer types: english, simple, whitespace, keyword, stop (the server has standard, and the
 *     pre-built simple, whitespace, keyword, stop and classic usable by name);
 *   - char filters: html_strip, pattern_replace.
 *   Not here (add them when needed): the other languages, mapping, pattern_replace and
 *   pattern_capture token filters, multiplexer, condition, elision, keep, common_grams, ...
 *
 * Both follow the modules they stand in for and are thin wrappers around the server's own build
 * information and Lucene's analysis classes; everything else is the real server (including the
 * completion, term and phrase suggesters, and the _synonyms API that synonyms_set reads).
 */
public class TestNodePlugin extends Plugin implements ActionPlugin, AnalysisPlugin {

    private final SetOnce<ClusterService> clusterService = new SetOnce<>();
    private final SetOnce<SynonymsManagementAPIService> synonymsService = new SetOnce<>();

    @Override
    public Collection<?> createComponents(PluginServices services) {
        clusterService.set(services.clusterService());
        // Reads synonyms_set rules from the .synonyms system index, as analysis-common does.
        synonymsService.set(new SynonymsManagementAPIService(services.client()));
        return List.of();
    }

    // ---------------------------------------------------------------- rest-root

    @Override
    public Collection<RestHandler> getRestHandlers(
        Settings settings,
        NamedWriteableRegistry namedWriteableRegistry,
        RestController restController,
        ClusterSettings clusterSettings,
        IndexScopedSettings indexScopedSettings,
        SettingsFilter settingsFilter,
        IndexNameExpressionResolver indexNameExpressionResolver,
        Supplier<DiscoveryNodes> nodesInCluster,
        Predicate<NodeFeature> clusterSupportsFeature
    ) {
        return List.of(new MainHandler(clusterService::get));
    }

    /** GET / and HEAD /, with the same body as the rest-root module's main action. */
    static final class MainHandler extends BaseRestHandler {
        private final Supplier<ClusterService> clusterService;

        MainHandler(Supplier<ClusterService> clusterService) {
            this.clusterService = clusterService;
        }

        @Override
        public String getName() {
            return "main_action";
        }

        @Override
        public List<Route> routes() {
            return List.of(new Route(RestRequest.Method.GET, "/"), new Route(RestRequest.Method.HEAD, "/"));
        }

        @Override
        protected RestChannelConsumer prepareRequest(RestRequest request, org.elasticsearch.client.internal.node.NodeClient client) {
            ClusterService cluster = clusterService.get();
            Build build = Build.current();
            return channel -> {
                XContentBuilder body = channel.newBuilder();
                body.startObject();
                body.field("name", cluster.getNodeName());
                body.field("cluster_name", cluster.getClusterName().value());
                body.field("cluster_uuid", cluster.state().metadata().clusterUUID());
                body.startObject("version")
                    .field("number", build.qualifiedVersion())
                    .field("build_flavor", build.flavor())
                    .field("build_type", build.type().displayName())
                    .field("build_hash", build.hash())
                    .field("build_date", build.date())
                    .field("build_snapshot", build.isSnapshot())
                    .field("lucene_version", org.apache.lucene.util.Version.LATEST.toString())
                    .field("minimum_wire_compatibility_version", build.minWireCompatVersion())
                    .field("minimum_index_compatibility_version", build.minIndexCompatVersion())
                    .endObject();
                body.field("tagline", "You Know, for Search");
                body.endObject();
                channel.sendResponse(new RestResponse(RestStatus.OK, body));
            };
        }
    }

    // ---------------------------------------------------------- analysis-common

    // Configurable components ("type": NAME) are also usable by bare name when they need no settings;
    // a pre-configured component of the same name wins for the bare name, as on a stock node.

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        return Map.of(
            "english", EnglishAnalyzerProvider::new,
            "simple", AnalysisComponents.FixedAnalyzerProvider::simple,
            "whitespace", AnalysisComponents.FixedAnalyzerProvider::whitespace,
            "keyword", AnalysisComponents.FixedAnalyzerProvider::keyword,
            "stop", AnalysisComponents.FixedAnalyzerProvider::stop
        );
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.ofEntries(
            Map.entry("asciifolding", AsciiFoldingFactory::new),
            Map.entry("ngram", NGramFilterFactory::new),
            Map.entry("edge_ngram", EdgeNGramFilterFactory::new),
            Map.entry("stemmer", StemmerFactory::new),
            Map.entry("porter_stem", AnalysisComponents.PorterStemFactory::new),
            Map.entry("kstem", AnalysisComponents.KStemFactory::new),
            Map.entry("lowercase", AnalysisComponents.LowerCaseFactory::new),
            Map.entry(
                "synonym",
                requiresAnalysisSettings((i, e, n, s) -> new SynonymFilterFactory(false, i, e, n, s, synonymsService::get))
            ),
            Map.entry(
                "synonym_graph",
                requiresAnalysisSettings((i, e, n, s) -> new SynonymFilterFactory(true, i, e, n, s, synonymsService::get))
            ),
            Map.entry("trim", AnalysisComponents.TrimFactory::new),
            Map.entry("truncate", requiresAnalysisSettings(AnalysisComponents.TruncateFactory::new)),
            Map.entry("unique", AnalysisComponents.UniqueFactory::new),
            Map.entry("remove_duplicates", AnalysisComponents.RemoveDuplicatesFactory::new),
            Map.entry("keyword_repeat", AnalysisComponents.KeywordRepeatFactory::new),
            Map.entry("flatten_graph", AnalysisComponents.FlattenGraphFactory::new),
            Map.entry("word_delimiter_graph", AnalysisComponents.WordDelimiterGraphFactory::new)
        );
    }

    @Override
    public List<PreConfiguredTokenFilter> getPreConfiguredTokenFilters() {
        List<PreConfiguredTokenFilter> filters = new ArrayList<>();
        filters.add(PreConfiguredTokenFilter.singleton("asciifolding", true, ASCIIFoldingFilter::new));
        filters.add(PreConfiguredTokenFilter.singleton("porter_stem", false, PorterStemFilter::new));
        filters.add(PreConfiguredTokenFilter.singleton("kstem", false, KStemFilter::new));
        filters.add(PreConfiguredTokenFilter.singleton("stemmer", false, PorterStemFilter::new));
        filters.add(PreConfiguredTokenFilter.singleton("ngram", false, false, in -> new NGramTokenFilter(in, 1, 2, false)));
        filters.add(PreConfiguredTokenFilter.singleton("edge_ngram", false, false, in -> new EdgeNGramTokenFilter(in, 1, 1, false)));
        // The server has the configurable stop and shingle; a stock node's bare names come from analysis-common.
        filters.add(PreConfiguredTokenFilter.singleton("stop", false, in -> new StopFilter(in, EnglishAnalyzer.ENGLISH_STOP_WORDS_SET)));
        filters.add(PreConfiguredTokenFilter.singleton("shingle", false, false, in -> {
            TokenStream shingles = new ShingleFilter(in);
            // Shingles of different sizes are not a graph that query parsing could use.
            shingles.addAttribute(DisableGraphAttribute.class);
            return shingles;
        }));
        filters.add(PreConfiguredTokenFilter.singleton("trim", true, TrimFilter::new));
        filters.add(PreConfiguredTokenFilter.singleton("truncate", false, in -> new TruncateTokenFilter(in, 10)));
        filters.add(PreConfiguredTokenFilter.singleton("unique", false, in -> new AnalysisComponents.UniqueTokenFilter(in, false)));
        filters.add(PreConfiguredTokenFilter.singleton("keyword_repeat", false, false, KeywordRepeatFilter::new));
        filters.add(
            PreConfiguredTokenFilter.singleton(
                "word_delimiter_graph",
                false,
                false,
                in -> new WordDelimiterGraphFilter(
                    in,
                    true,
                    WordDelimiterIterator.DEFAULT_WORD_DELIM_TABLE,
                    AnalysisComponents.WORD_DELIMITER_DEFAULT_FLAGS,
                    null
                )
            )
        );
        return filters;
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of(
            "ngram", NGramTokenizerFactory::new,
            "edge_ngram", EdgeNGramTokenizerFactory::new,
            "whitespace", AnalysisComponents.WhitespaceTokenizerFactory::new,
            "keyword", AnalysisComponents.KeywordTokenizerFactory::new,
            "letter", AnalysisComponents.LetterTokenizerFactory::new,
            "classic", AnalysisComponents.ClassicTokenizerFactory::new,
            "uax_url_email", AnalysisComponents.UaxUrlEmailTokenizerFactory::new,
            "pattern", AnalysisComponents.PatternTokenizerFactory::new
        );
    }

    @Override
    public List<PreConfiguredTokenizer> getPreConfiguredTokenizers() {
        return List.of(
            PreConfiguredTokenizer.singleton("keyword", KeywordTokenizer::new),
            PreConfiguredTokenizer.singleton("whitespace", WhitespaceTokenizer::new),
            PreConfiguredTokenizer.singleton("letter", LetterTokenizer::new),
            PreConfiguredTokenizer.singleton("classic", ClassicTokenizer::new),
            PreConfiguredTokenizer.singleton("uax_url_email", UAX29URLEmailTokenizer::new),
            PreConfiguredTokenizer.singleton("ngram", NGramTokenizer::new),
            PreConfiguredTokenizer.singleton("edge_ngram", () -> new EdgeNGramTokenizer(1, 2)),
            PreConfiguredTokenizer.singleton("pattern", () -> new PatternTokenizer(Regex.compile("\\W+", null), -1))
        );
    }

    @Override
    public Map<String, AnalysisProvider<CharFilterFactory>> getCharFilters() {
        return Map.of(
            "html_strip", AnalysisComponents.HtmlStripFactory::new,
            "pattern_replace", requiresAnalysisSettings(AnalysisComponents.PatternReplaceCharFilterFactory::new)
        );
    }

    @Override
    public List<PreConfiguredCharFilter> getPreConfiguredCharFilters() {
        return List.of(PreConfiguredCharFilter.singleton("html_strip", false, HTMLStripCharFilter::new));
    }

    static final class EnglishAnalyzerProvider extends AbstractIndexAnalyzerProvider<EnglishAnalyzer> {
        private final EnglishAnalyzer analyzer;

        EnglishAnalyzerProvider(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            analyzer = new EnglishAnalyzer(
                Analysis.parseStopWords(env, settings, EnglishAnalyzer.getDefaultStopSet()),
                Analysis.parseStemExclusion(settings, CharArraySet.EMPTY_SET)
            );
        }

        @Override
        public EnglishAnalyzer get() {
            return analyzer;
        }
    }

    static final class AsciiFoldingFactory extends AbstractTokenFilterFactory {
        private final boolean preserveOriginal;

        AsciiFoldingFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            preserveOriginal = settings.getAsBoolean("preserve_original", false);
        }

        @Override
        public TokenStream create(TokenStream in) {
            return new ASCIIFoldingFilter(in, preserveOriginal);
        }

        @Override
        public TokenStream normalize(TokenStream in) {
            return new ASCIIFoldingFilter(in, false);
        }
    }

    /** Reads min_gram/max_gram and enforces index.max_ngram_diff, as analysis-common does. */
    private static int[] grams(IndexSettings indexSettings, Settings settings, int defaultMin, int defaultMax, boolean checkDiff) {
        int min = settings.getAsInt("min_gram", defaultMin);
        int max = settings.getAsInt("max_gram", defaultMax);
        if (checkDiff && max - min > indexSettings.getMaxNgramDiff()) {
            throw new IllegalArgumentException(
                "The difference between max_gram and min_gram in NGram Tokenizer must be less than or equal to: ["
                    + indexSettings.getMaxNgramDiff() + "] but was [" + (max - min) + "]. This limit can be set by changing the ["
                    + IndexSettings.MAX_NGRAM_DIFF_SETTING.getKey() + "] index level setting."
            );
        }
        return new int[] { min, max };
    }

    static final class NGramFilterFactory extends AbstractTokenFilterFactory {
        private final int[] grams;
        private final boolean preserveOriginal;

        NGramFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            grams = grams(indexSettings, settings, 1, 2, true);
            preserveOriginal = settings.getAsBoolean("preserve_original", false);
        }

        @Override
        public TokenStream create(TokenStream in) {
            return new NGramTokenFilter(in, grams[0], grams[1], preserveOriginal);
        }

        @Override
        public TokenFilterFactory getSynonymFilter() {
            throw AnalysisComponents.cannotParseSynonyms(name());
        }
    }

    static final class EdgeNGramFilterFactory extends AbstractTokenFilterFactory {
        private final int[] grams;
        private final boolean preserveOriginal;

        EdgeNGramFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            grams = grams(indexSettings, settings, 1, 2, false);
            preserveOriginal = settings.getAsBoolean("preserve_original", false);
        }

        @Override
        public TokenStream create(TokenStream in) {
            return new EdgeNGramTokenFilter(in, grams[0], grams[1], preserveOriginal);
        }

        @Override
        public TokenFilterFactory getSynonymFilter() {
            throw AnalysisComponents.cannotParseSynonyms(name());
        }
    }

    /** The English members of analysis-common's stemmer filter. */
    static final class StemmerFactory extends AbstractTokenFilterFactory {
        private final String language;

        StemmerFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            language = settings.get("language", settings.get("name", "porter"));
            if (Set.of("english", "porter", "porter2", "light_english", "kstem", "minimal_english", "possessive_english")
                .contains(language) == false) {
                // Fail when the index is created, as analysis-common does for an unknown language.
                throw new IllegalArgumentException("stemmer language [" + language + "] is not available on this test node");
            }
        }

        @Override
        public TokenStream create(TokenStream in) {
            return switch (language) {
                case "english", "porter" -> new PorterStemFilter(in);
                case "porter2" -> new SnowballFilter(in, new EnglishStemmer());
                case "light_english", "kstem" -> new KStemFilter(in);
                case "minimal_english" -> new EnglishMinimalStemFilter(in);
                default -> new EnglishPossessiveFilter(in); // possessive_english
            };
        }
    }

    /** token_chars classes of analysis-common's n-gram tokenizers (all characters when empty). */
    private static IntPredicate tokenChars(Settings settings) {
        List<String> classes = settings.getAsList("token_chars");
        if (classes.isEmpty()) {
            return c -> true;
        }
        IntPredicate matcher = c -> false;
        for (String cls : Set.copyOf(classes)) {
            IntPredicate one = switch (cls) {
                case "letter" -> Character::isLetter;
                case "digit" -> Character::isDigit;
                case "whitespace" -> Character::isWhitespace;
                case "punctuation" -> c -> switch (Character.getType(c)) {
                    case Character.START_PUNCTUATION, Character.END_PUNCTUATION, Character.OTHER_PUNCTUATION,
                        Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                        Character.FINAL_QUOTE_PUNCTUATION -> true;
                    default -> false;
                };
                case "symbol" -> c -> switch (Character.getType(c)) {
                    case Character.CURRENCY_SYMBOL, Character.MATH_SYMBOL, Character.OTHER_SYMBOL, Character.MODIFIER_SYMBOL -> true;
                    default -> false;
                };
                default -> throw new IllegalArgumentException("token_chars [" + cls + "] is not available on this test node");
            };
            matcher = matcher.or(one);
        }
        return matcher;
    }

    static final class NGramTokenizerFactory extends AbstractTokenizerFactory {
        private final int[] grams;
        private final IntPredicate tokenChars;

        NGramTokenizerFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(indexSettings, settings, name);
            grams = grams(indexSettings, settings, 1, 2, true);
            tokenChars = tokenChars(settings);
        }

        @Override
        public Tokenizer create() {
            IntPredicate chars = tokenChars;
            return new NGramTokenizer(grams[0], grams[1]) {
                @Override
                protected boolean isTokenChar(int c) {
                    return chars.test(c);
                }
            };
        }
    }

    static final class EdgeNGramTokenizerFactory extends AbstractTokenizerFactory {
        private final int[] grams;
        private final IntPredicate tokenChars;

        EdgeNGramTokenizerFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(indexSettings, settings, name);
            grams = grams(indexSettings, settings, 1, 2, false);
            tokenChars = tokenChars(settings);
        }

        @Override
        public Tokenizer create() {
            IntPredicate chars = tokenChars;
            return new EdgeNGramTokenizer(grams[0], grams[1]) {
                @Override
                protected boolean isTokenChar(int c) {
                    return chars.test(c);
                }
            };
        }
    }
}
