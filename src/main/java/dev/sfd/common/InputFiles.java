package dev.sfd.common;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.yaml.snakeyaml.LoaderOptions;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads the text files SFD takes (networks, hardware, plans, settings) before any field is looked at: a missing
 * file, a folder, an unreadable or oversized file, binary content, nesting deeper than {@link #MAX_DEPTH}, a key
 * given twice in one mapping, YAML aliases and merge keys, and numbers too large to represent are each an
 * {@link InvalidInputException} naming the file (and the line and key where there is one). Parsing builds the tree
 * itself from the token stream, so every message has a location and nothing reaches Jackson's own limits.
 */
public final class InputFiles {
    /** Largest network, hardware or settings file (YAML or JSON). */
    public static final long MAX_TEXT_BYTES = 64L << 20;
    /** Largest plan file (JSON). */
    public static final long MAX_PLAN_BYTES = 1L << 30;
    /** Deepest nesting of mappings and lists (SFD's own formats need at most 8). */
    public static final int MAX_DEPTH = 32;
    /** Bytes examined for binary content (NUL bytes, invalid UTF-8) before parsing. */
    static final int SNIFF_BYTES = 64 * 1024;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH + 8).build()).build();
    private static final YAMLFactory YAML;

    static {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit((int) Math.min(Integer.MAX_VALUE, MAX_TEXT_BYTES));
        options.setNestingDepthLimit(MAX_DEPTH + 8);
        options.setAllowDuplicateKeys(true); // reported by this class, with the key and the line
        YAML = YAMLFactory.builder().loaderOptions(options)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH + 8).build()).build();
    }

    /** Text syntax of a file. */
    public enum Syntax {
        YAML, JSON;

        /** JSON for names ending in {@code .json}, YAML otherwise (YAML is a superset of JSON). */
        public static Syntax of(String fileName) {
            return fileName.toLowerCase(Locale.ROOT).endsWith(".json") ? JSON : YAML;
        }

        String label() {
            return name();
        }
    }

    private InputFiles() {
    }

    /**
     * The bytes of {@code file}; a missing file, a folder, an unreadable file or one larger than {@code maxBytes}
     * is an {@link InvalidInputException} naming it.
     *
     * @param what how the message names the file's role, e.g. {@code "network file"}
     */
    public static byte[] read(Path file, long maxBytes, String what) {
        String source = file.toString();
        if (Files.isDirectory(file)) {
            throw new InvalidInputException(source, "is a folder, not a " + what);
        }
        if (!Files.exists(file)) {
            Path parent = file.toAbsolutePath().getParent();
            throw new InvalidInputException(source, what + " not found (no such file"
                    + (parent != null && !Files.isDirectory(parent) ? "; the folder " + parent + " does not exist either"
                    : "") + ")");
        }
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new InvalidInputException(source, "is " + size + " bytes; a " + what + " may have at most "
                        + maxBytes + " bytes (" + (maxBytes >> 20) + " MiB)");
            }
            return Files.readAllBytes(file);
        } catch (AccessDeniedException e) {
            throw new InvalidInputException(source, "cannot be read: permission denied");
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(source, what + " not found (no such file)");
        } catch (IOException e) {
            throw new InvalidInputException(source, "cannot be read (" + e.getMessage() + ")");
        } catch (OutOfMemoryError e) {
            throw new InvalidInputException(source, "is too large to read into memory");
        }
    }

    /** Reads and parses a YAML or JSON file (by its extension) into a tree; see {@link #parse}. */
    public static JsonNode readTree(Path file, long maxBytes, String what) {
        return parse(file.toString(), read(file, maxBytes, what), Syntax.of(file.getFileName().toString()));
    }

    /** {@link #parse(String, byte[], Syntax)} of text held in a string (presets and zoo files on the class path). */
    public static JsonNode parse(String source, String text, Syntax syntax) {
        return parse(source, text.getBytes(java.nio.charset.StandardCharsets.UTF_8), syntax);
    }

    /**
     * Parses YAML or JSON into a tree. Refused, each with the file and the line: binary content, nesting deeper than
     * {@link #MAX_DEPTH}, a key given twice in one mapping, YAML aliases ({@code *name}) and merge keys
     * ({@code <<}), numbers beyond a double's range, and syntax errors. An empty file gives null.
     */
    public static JsonNode parse(String source, byte[] bytes, Syntax syntax) {
        rejectBinary(source, bytes);
        JsonFactory factory = syntax == Syntax.JSON ? JSON : YAML;
        boolean utf16 = bytes.length >= 2 && ((bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF)
                || (bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE));
        boolean utf8Bom = bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB
                && bytes[2] == (byte) 0xBF;
        try (JsonParser p = utf16 ? factory.createParser(new String(bytes, java.nio.charset.StandardCharsets.UTF_16))
                : utf8Bom ? factory.createParser(bytes, 3, bytes.length - 3) : factory.createParser(bytes)) {
            return new TreeBuilder(source, p, syntax).root();
        } catch (InvalidInputException e) {
            throw e;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new InvalidInputException(source, "is not valid " + syntax.label() + " ("
                    + (at != null && at.getLineNr() > 0 ? "line " + at.getLineNr() + ": " : "")
                    + firstLine(e.getOriginalMessage()) + ")");
        } catch (IOException | RuntimeException e) {
            // SnakeYAML reports some limits as its own runtime exceptions.
            throw new InvalidInputException(source, "is not valid " + syntax.label() + " (" + firstLine(e.getMessage())
                    + ")");
        } catch (StackOverflowError e) {
            throw new InvalidInputException(source, "nests too deeply to read");
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no details";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** NUL bytes or bytes that are not UTF-8 in the first {@link #SNIFF_BYTES}: a binary file, not text. */
    static void rejectBinary(String source, byte[] bytes) {
        int n = Math.min(bytes.length, SNIFF_BYTES);
        boolean utf16 = n >= 2 && ((bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF)
                || (bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE));
        if (utf16) {
            return; // a byte-order mark: UTF-16 text, which the parsers decode
        }
        int i = 0;
        while (i < n) {
            int b = bytes[i] & 0xFF;
            int extra = b < 0x80 ? 0 : (b & 0xE0) == 0xC0 && b >= 0xC2 ? 1 : (b & 0xF0) == 0xE0 ? 2
                    : (b & 0xF8) == 0xF0 && b <= 0xF4 ? 3 : -1;
            boolean bad = b == 0 || extra < 0;
            for (int k = 1; !bad && k <= extra; k++) {
                if (i + k >= n) {
                    if (n == bytes.length) {
                        bad = true; // a sequence cut off by the end of the file
                    }
                    break; // cut off by the sniff window: fine
                }
                bad = (bytes[i + k] & 0xC0) != 0x80;
            }
            if (bad) {
                throw new InvalidInputException(source, "is a binary file, not YAML or JSON text (byte 0x"
                        + String.format(Locale.ROOT, "%02X", b) + " at offset " + i + ")"
                        + "\n  Maybe this is an ONNX model or a compressed file: ONNX models must end in .onnx,"
                        + " networks and hardware are .yaml or .json text.");
            }
            i += extra + 1;
        }
    }

    /** Builds a tree from tokens, checking depth, duplicate keys, aliases and number ranges as it goes. */
    private static final class TreeBuilder {
        private final String source;
        private final JsonParser p;
        private final Syntax syntax;
        private final JsonNodeFactory nodes = JsonNodeFactory.instance;

        TreeBuilder(String source, JsonParser p, Syntax syntax) {
            this.source = source;
            this.p = p;
            this.syntax = syntax;
        }

        JsonNode root() throws IOException {
            JsonToken t = p.nextToken();
            if (t == null) {
                return null;
            }
            JsonNode root = value(t, 1, null, false);
            JsonToken after = p.nextToken();
            if (after != null && syntax == Syntax.JSON) {
                throw problem("has more content after the end of the top-level value", null);
            }
            return root;
        }

        private int line() {
            JsonLocation at = p.currentLocation();
            return at == null ? -1 : at.getLineNr();
        }

        private InvalidInputException problem(String message, String key) {
            int line = line();
            return new InvalidInputException(source, (line > 0 ? "line " + line + ": " : "")
                    + (key == null ? "" : "key '" + key + "' ") + message);
        }

        /**
         * @param key the key this value belongs to (for a list entry: the list's key)
         * @param entry whether the value is an entry of a list
         */
        private JsonNode value(JsonToken t, int depth, String key, boolean entry) throws IOException {
            if (p instanceof YAMLParser y && y.isCurrentAlias()) {
                throw problem("uses the YAML alias *" + p.getText() + "; SFD reads plain YAML without anchors, "
                        + "aliases or merge keys\n  Maybe write the aliased values out in full.", key);
            }
            if (depth > MAX_DEPTH) {
                throw problem("nests deeper than " + MAX_DEPTH + " levels of mappings and lists; SFD's files "
                        + "need at most 8", key);
            }
            switch (t) {
                case START_OBJECT -> {
                    ObjectNode o = nodes.objectNode();
                    for (JsonToken n = p.nextToken(); n != JsonToken.END_OBJECT; n = p.nextToken()) {
                        if (n != JsonToken.FIELD_NAME) {
                            throw problem("is not a key", null);
                        }
                        String name = p.currentName();
                        if (syntax == Syntax.YAML && "<<".equals(name)) {
                            throw problem("is a YAML merge key; SFD reads plain YAML without anchors, aliases or "
                                    + "merge keys\n  Maybe write the merged fields out in full.", name);
                        }
                        if (o.has(name)) {
                            throw problem("is given twice in " + (key == null ? "the top-level mapping"
                                    : entry ? "one entry of '" + key + "'" : "the mapping '" + key + "'")
                                    + "; each key may appear once in a mapping", name);
                        }
                        o.set(name, value(p.nextToken(), depth + 1, name, false));
                    }
                    return o;
                }
                case START_ARRAY -> {
                    ArrayNode a = nodes.arrayNode();
                    for (JsonToken n = p.nextToken(); n != JsonToken.END_ARRAY; n = p.nextToken()) {
                        a.add(value(n, depth + 1, key, true));
                    }
                    return a;
                }
                case VALUE_STRING -> {
                    return nodes.textNode(p.getText());
                }
                case VALUE_NUMBER_INT -> {
                    return switch (p.getNumberType()) {
                        case INT -> nodes.numberNode(p.getIntValue());
                        case LONG -> nodes.numberNode(p.getLongValue());
                        default -> nodes.numberNode(p.getBigIntegerValue());
                    };
                }
                case VALUE_NUMBER_FLOAT -> {
                    String text = p.getText();
                    double d = p.getDoubleValue();
                    if (Double.isInfinite(d)) {
                        throw problem("has value (" + text + "), a number beyond the largest representable ("
                                + Double.MAX_VALUE + ")", key);
                    }
                    if (!Double.isNaN(d) && d != 0 && Math.abs(d) < Double.MIN_NORMAL
                            || d == 0 && new BigDecimal(safeDecimal(text)).signum() != 0) {
                        throw problem("has value (" + text + "), a number too close to zero to represent", key);
                    }
                    return nodes.numberNode(d);
                }
                case VALUE_TRUE, VALUE_FALSE -> {
                    return nodes.booleanNode(t == JsonToken.VALUE_TRUE);
                }
                case VALUE_NULL -> {
                    return nodes.nullNode();
                }
                case VALUE_EMBEDDED_OBJECT -> {
                    Object o = p.getEmbeddedObject();
                    return o instanceof byte[] b ? nodes.binaryNode(b) : nodes.textNode(String.valueOf(o));
                }
                default -> throw problem("has an unexpected token " + t, key);
            }
        }

        /** A YAML float literal as BigDecimal text ({@code .inf}, {@code .nan} and friends are not zero). */
        private static String safeDecimal(String text) {
            try {
                new BigDecimal(text.replace("_", ""));
                return text.replace("_", "");
            } catch (NumberFormatException e) {
                return "0";
            }
        }
    }
}
