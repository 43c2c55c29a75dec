package org.copsite.esnode;

import java.io.Reader;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.charfilter.HTMLStripCharFilter;
import org.apache.lucene.analysis.classic.ClassicTokenizer;
import org.apache.lucene.analysis.core.FlattenGraphFilter;
import org.apache.lucene.analysis.core.KeywordAnalyzer;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.LetterTokenizer;
import org.apache.lucene.analysis.core.SimpleAnalyzer;
import org.apache.lucene.analysis.core.StopAnalyzer;
import org.apache.lucene.analysis.core.WhitespaceAnalyzer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.el.GreekLowerCaseFilter;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.ga.IrishLowerCaseFilter;
import org.apache.lucene.analysis.miscellaneous.KeywordRepeatFilter;
import org.apache.lucene.analysis.miscellaneous.RemoveDuplicatesTokenFilter;
import org.apache.lucene.analysis.miscellaneous.TrimFilter;
import org.apache.lucene.analysis.miscellaneous.TruncateTokenFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterIterator;
import org.apache.lucene.analysis.pattern.PatternReplaceCharFilter;
import org.apache.lucene.analysis.pattern.PatternTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.analysis.tr.TurkishLowerCaseFilter;
import org.elasticsearch.common.regex.Regex;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractCharFilterFactory;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.AbstractTokenizerFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.NormalizingCharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;

/**
 * More of analysis-common, as thin wrappers around Lucene: the token filters, tokenizers, analyzers and char
 * filters that the server itself lacks. Settings and defaults follow the stock Elasticsearch 8 documentation.
 *
 * The server already has, and this plugin must not register again: the {@code standard} tokenizer and analyzer,
 * the {@code stop} and {@code shingle} filters (configurable), the {@code lowercase} filter (pre-configured only:
 * the configurable one, with {@code language}, is here), {@code hunspell}, and the pre-built {@code simple},
 * {@code whitespace}, {@code stop}, {@code keyword} and {@code classic} analyzers (usable by name only; the
 * configurable {@code type}s are here).
 */
final class AnalysisComponents {

    private AnalysisComponents() {}

    static IllegalArgumentException cannotParseSynonyms(String name) {
        return new IllegalArgumentException("Token filter [" + name + "] cannot be used to parse synonyms");
    }

    // ---------------------------------------------------------------- token filters

    /** lowercase, with the optional language (greek, irish, turkish) of analysis-common. */
    static final class LowerCaseFactory extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {
        private final String language;

        LowerCaseFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            language = settings.get("language");
            if (language != null && List.of("greek", "irish", "turkish").contains(language.toLowerCase(Locale.ROOT)) == false) {
                throw new IllegalArgumentException("language [" + language + "] not support for lower case");
            }
        }

        @Override
        public TokenStream create(TokenStream in) {
            if (language == null) {
                return new LowerCaseFilter(in);
            }
            return switch (language.toLowerCase(Locale.ROOT)) {
                case "greek" -> new GreekLowerCaseFilter(in);
                case "irish" -> new IrishLowerCaseFilter(in);
                default -> new TurkishLowerCaseFilter(in);
            };
        }
    }

    static final class PorterStemFactory extends AbstractTokenFilterFactory {
        PorterStemFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
        }

        @Override
        public TokenStream create(TokenStream in) {
            return new PorterStemFilter(in);
        }
    }

    static final class KStemFactory extends AbstractTokenFilterFactory {
        KStemFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
        }

        @Override
        public TokenStream create(TokenStream in) {
            return new KStemFilter(in);
        }
    }

    static final class TrimFactory extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {
        TrimFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            if (settings.get("update_offsets") != null) {
                throw new IllegalArgumentException("update_offsets is not supported anymore. Please fix your analysis chain");
            }
        }

        @Override
        public TokenStream create(TokenStream in) {
            return new TrimFilter(in);
        }
    }

    /** truncate: {@code length} (default 10, must be positive). */
    static final class TruncateFactory extends AbstractTokenFilterFactory {
        private final int length;

        TruncateFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            length = settings.getAsInt("length", 10);
            if (length <= 0) {
                throw new IllegalArgumentException("length parameter must be provided");
            }
        }

        @Override
        public TokenStream create(TokenStream in) {
            return new TruncateTokenFilter(in, length);
        }
    }

    /** unique: {@code only_on_same_position} (default false). */
    static final class UniqueFactory extends AbstractTokenFilterFactory {
        private final boolean onlyOnSamePosition;

        UniqueFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            onlyOnSamePosition = settings.getAsBoolean("only_on_same_position", false);
        }

        @Override
        public TokenStream create(TokenStream in) {
            return new UniqueTokenFilter(in, onlyOnSamePosition);
        }
    }

    /**
     * Drops a token whose text was already seen: anywhere before it in the stream, or with
     * onlyOnSamePosition only among the tokens stacked at its position.
     */
    static final class UniqueTokenFilter extends TokenFilter {
        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
        private final PositionIncrementAttribute posInc = addAttribute(PositionIncrementAttribute.class);
        private final CharArraySet seen = new CharArraySet(8, false);
        private final boolean onlyOnSamePosition;

        UniqueTokenFilter(TokenStream in, boolean onlyOnSamePosition) {
            super(in);
            this.onlyOnSamePosition = onlyOnSamePosition;
        }

        @Override
        public boolean incrementToken() throws java.io.IOException {
            while (input.incrementToken()) {
                if (onlyOnSamePosition && posInc.getPositionIncrement() > 0) {
                    seen.clear();
                }
                char[] buffer = term.buffer();
                int length = term.length();
                if (seen.contains(buffer, 0, length) == false) {
                    char[] copy = new char[length];
                    System.arraycopy(buffer, 0, copy, 0, length);
                    seen.add(copy);
                    return true;
                }
            }
            return false;
        }

        @Override
        public void reset() throws java.io.IOException {
            super.reset();
            seen.clear();
        }
    }

    static final class RemoveDuplicatesFactory extends AbstractTokenFilterFactory {
        RemoveDuplicatesFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
        }

        @Override
        public TokenStream create(TokenStream in) {
            return new RemoveDuplicatesTokenFilter(in);
        }
    }

    static final class KeywordRepeatFactory extends AbstractTokenFilterFactory {
        KeywordRepeatFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
        }

        @Override
        public TokenStream create(TokenStream in) {
            return new KeywordRepeatFilter(in);
        }

        @Override
        public TokenFilterFactory getSynonymFilter() {
            throw cannotParseSynonyms(name());
        }
    }

    /** flatten_graph: needed after synonym_graph or word_delimiter_graph in an index-time analyzer. */
    static final class FlattenGraphFactory extends AbstractTokenFilterFactory {
        FlattenGraphFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
        }

        @Override
        public TokenStream create(TokenStream in) {
            return new FlattenGraphFilter(in);
        }
    }

    /** Flags of the pre-configured word_delimiter_graph, the configurable one's defaults. */
    static final int WORD_DELIMITER_DEFAULT_FLAGS = WordDelimiterGraphFilter.GENERATE_WORD_PARTS
        | WordDelimiterGraphFilter.GENERATE_NUMBER_PARTS | WordDelimiterGraphFilter.SPLIT_ON_CASE_CHANGE
        | WordDelimiterGraphFilter.SPLIT_ON_NUMERICS | WordDelimiterGraphFilter.STEM_ENGLISH_POSSESSIVE;

    /**
     * word_delimiter_graph with analysis-common's settings: generate_word_parts, generate_number_parts,
     * catenate_words, catenate_numbers, catenate_all, split_on_case_change, preserve_original, split_on_numerics,
     * stem_english_possessive, ignore_keywords, adjust_offsets, protected_words(_path), type_table(_path).
     */
    static final class WordDelimiterGraphFactory extends AbstractTokenFilterFactory {
        private final byte[] charTypeTable;
        private final int flags;
        private final CharArraySet protectedWords;
        private final boolean adjustOffsets;

        WordDelimiterGraphFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            int f = 0;
            f |= flag(settings, "generate_word_parts", true, WordDelimiterGraphFilter.GENERATE_WORD_PARTS);
            f |= flag(settings, "generate_number_parts", true, WordDelimiterGraphFilter.GENERATE_NUMBER_PARTS);
            f |= flag(settings, "catenate_words", false, WordDelimiterGraphFilter.CATENATE_WORDS);
            f |= flag(settings, "catenate_numbers", false, WordDelimiterGraphFilter.CATENATE_NUMBERS);
            f |= flag(settings, "catenate_all", false, WordDelimiterGraphFilter.CATENATE_ALL);
            f |= flag(settings, "split_on_case_change", true, WordDelimiterGraphFilter.SPLIT_ON_CASE_CHANGE);
            f |= flag(settings, "preserve_original", false, WordDelimiterGraphFilter.PRESERVE_ORIGINAL);
            f |= flag(settings, "split_on_numerics", true, WordDelimiterGraphFilter.SPLIT_ON_NUMERICS);
            f |= flag(settings, "stem_english_possessive", true, WordDelimiterGraphFilter.STEM_ENGLISH_POSSESSIVE);
            f |= flag(settings, "ignore_keywords", false, WordDelimiterGraphFilter.IGNORE_KEYWORDS);
            flags = f;
            adjustOffsets = settings.getAsBoolean("adjust_offsets", true);
            protectedWords = Analysis.getWordSet(env, settings, "protected_words");
            List<String> typeRules = Analysis.getWordList(env, settings, "type_table");
            charTypeTable = typeRules == null || typeRules.isEmpty()
                ? WordDelimiterIterator.DEFAULT_WORD_DELIM_TABLE
                : parseTypeTable(typeRules);
        }

        private static int flag(Settings settings, String key, boolean defaultValue, int flag) {
            return settings.getAsBoolean(key, defaultValue) ? flag : 0;
        }

        @Override
        public TokenStream create(TokenStream in) {
            return new WordDelimiterGraphFilter(in, adjustOffsets, charTypeTable, flags, protectedWords);
        }

        @Override
        public TokenFilterFactory getSynonymFilter() {
            throw cannotParseSynonyms(name());
        }
    }

    private static final Pattern TYPE_RULE = Pattern.compile("(.*)\\s*=>\\s*(.*)\\s*$");

    /** type_table rules such as "# => ALPHA", "\\u002C => DIGIT", over Lucene's default character types. */
    static byte[] parseTypeTable(List<String> rules) {
        TreeMap<Character, Byte> overrides = new TreeMap<>();
        for (String rule : rules) {
            Matcher m = TYPE_RULE.matcher(rule);
            if (m.find() == false) {
                throw new IllegalArgumentException("Invalid Mapping Rule : [" + rule + "]");
            }
            String lhs = unescape(m.group(1).trim());
            if (lhs.length() != 1) {
                throw new IllegalArgumentException("Invalid Mapping Rule : [" + rule + "]. Only a single character is allowed.");
            }
            byte type = switch (m.group(2).trim()) {
                case "LOWER" -> 1;
                case "UPPER" -> 2;
                case "ALPHA" -> (byte) WordDelimiterIterator.ALPHA;
                case "DIGIT" -> 4;
                case "ALPHANUM" -> (byte) WordDelimiterIterator.ALPHANUM;
                case "SUBWORD_DELIM" -> 8;
                default -> throw new IllegalArgumentException("Invalid Mapping Rule : [" + rule + "]");
            };
            overrides.put(lhs.charAt(0), type);
        }
        byte[] table = new byte[Math.max(overrides.lastKey() + 1, WordDelimiterIterator.DEFAULT_WORD_DELIM_TABLE.length)];
        for (int c = 0; c < table.length; c++) {
            table[c] = WordDelimiterIterator.getType(c);
        }
        for (Map.Entry<Character, Byte> e : overrides.entrySet()) {
            table[e.getKey()] = e.getValue();
        }
        return table;
    }

    /** Backslash escapes of mapping and type_table rules: \\n \\t \\r \\b \\f \\uXXXX and a literal next character. */
    static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                out.append(c);
                continue;
            }
            char next = s.charAt(++i);
            switch (next) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    if (i + 4 >= s.length()) {
                        throw new IllegalArgumentException("Invalid escaped char in [" + s + "]");
                    }
                    out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> out.append(next);
            }
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- tokenizers

    static final class WhitespaceTokenizerFactory extends AbstractTokenizerFactory {
        private final int maxTokenLength;

        WhitespaceTokenizerFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(indexSettings, settings, name);
            maxTokenLength = settings.getAsInt("max_token_length", 255);
        }

        @Override
        public Tokenizer create() {
            return new WhitespaceTokenizer(TokenStream.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, maxTokenLength);
        }
    }

    static final class KeywordTokenizerFactory extends AbstractTokenizerFactory {
        private final int bufferSize;

        KeywordTokenizerFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(indexSettings, settings, name);
            bufferSize = settings.getAsInt("buffer_size", 256);
        }

        @Override
        public Tokenizer create() {
            return new KeywordTokenizer(bufferSize);
        }
    }

    static final class LetterTokenizerFactory extends AbstractTokenizerFactory {
        LetterTokenizerFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(indexSettings, settings, name);
        }

        @Override
        public Tokenizer create() {
            return new LetterTokenizer();
        }
    }

    static final class ClassicTokenizerFactory extends AbstractTokenizerFactory {
        private final int maxTokenLength;

        ClassicTokenizerFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(indexSettings, settings, name);
            maxTokenLength = settings.getAsInt("max_token_length", 255);
        }

        @Override
        public Tokenizer create() {
            ClassicTokenizer tokenizer = new ClassicTokenizer();
            tokenizer.setMaxTokenLength(maxTokenLength);
            return tokenizer;
        }
    }

    static final class UaxUrlEmailTokenizerFactory extends AbstractTokenizerFactory {
        private final int maxTokenLength;

        UaxUrlEmailTokenizerFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(indexSettings, settings, name);
            maxTokenLength = settings.getAsInt("max_token_length", 255);
        }

        @Override
        public Tokenizer create() {
            UAX29URLEmailTokenizer tokenizer = new UAX29URLEmailTokenizer();
            tokenizer.setMaxTokenLength(maxTokenLength);
            return tokenizer;
        }
    }

    /** pattern: {@code pattern} (default \W+), {@code flags} (Java flag names, |-separated), {@code group} (-1: split). */
    static final class PatternTokenizerFactory extends AbstractTokenizerFactory {
        private final Pattern pattern;
        private final int group;

        PatternTokenizerFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(indexSettings, settings, name);
            pattern = Regex.compile(settings.get("pattern", "\\W+"), settings.get("flags"));
            group = settings.getAsInt("group", -1);
        }

        @Override
        public Tokenizer create() {
            return new PatternTokenizer(pattern, group);
        }
    }

    // ---------------------------------------------------------------- analyzers

    /** The analyzer types simple, whitespace, keyword (no settings) and stop (stopwords, stopwords_path). */
    static final class FixedAnalyzerProvider<A extends Analyzer> extends AbstractIndexAnalyzerProvider<A> {
        private final A analyzer;

        FixedAnalyzerProvider(String name, Settings settings, A analyzer) {
            super(name, settings);
            this.analyzer = analyzer;
        }

        @Override
        public A get() {
            return analyzer;
        }

        static FixedAnalyzerProvider<SimpleAnalyzer> simple(IndexSettings i, Environment env, String name, Settings settings) {
            return new FixedAnalyzerProvider<>(name, settings, new SimpleAnalyzer());
        }

        static FixedAnalyzerProvider<WhitespaceAnalyzer> whitespace(IndexSettings i, Environment env, String name, Settings settings) {
            return new FixedAnalyzerProvider<>(name, settings, new WhitespaceAnalyzer());
        }

        static FixedAnalyzerProvider<KeywordAnalyzer> keyword(IndexSettings i, Environment env, String name, Settings settings) {
            return new FixedAnalyzerProvider<>(name, settings, new KeywordAnalyzer());
        }

        static FixedAnalyzerProvider<StopAnalyzer> stop(IndexSettings i, Environment env, String name, Settings settings) {
            return new FixedAnalyzerProvider<>(
                name,
                settings,
                new StopAnalyzer(Analysis.parseStopWords(env, settings, EnglishAnalyzer.ENGLISH_STOP_WORDS_SET))
            );
        }
    }

    // ---------------------------------------------------------------- char filters

    /** html_strip: {@code escaped_tags} (tags kept as they are). */
    static final class HtmlStripFactory extends AbstractCharFilterFactory {
        private final java.util.Set<String> escapedTags;

        HtmlStripFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name);
            List<String> tags = settings.getAsList("escaped_tags");
            escapedTags = tags.isEmpty() ? null : java.util.Set.copyOf(tags);
        }

        @Override
        public Reader create(Reader reader) {
            return new HTMLStripCharFilter(reader, escapedTags);
        }
    }

    /** pattern_replace: {@code pattern} (required), {@code replacement} (default ""), {@code flags}. */
    static final class PatternReplaceCharFilterFactory extends AbstractCharFilterFactory implements NormalizingCharFilterFactory {
        private final Pattern pattern;
        private final String replacement;

        PatternReplaceCharFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name);
            String regex = settings.get("pattern");
            if (regex == null || regex.isEmpty()) {
                throw new IllegalArgumentException("pattern is missing for [" + name + "] char filter of type 'pattern_replace'");
            }
            pattern = Regex.compile(regex, settings.get("flags"));
            replacement = settings.get("replacement", "");
        }

        @Override
        public Reader create(Reader reader) {
            return new PatternReplaceCharFilter(pattern, replacement, reader);
        }
    }
}
