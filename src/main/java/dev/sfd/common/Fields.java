package dev.sfd.common;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads typed fields out of a parsed YAML/JSON object and collects problems instead of throwing, so a reader
 * can report every mistake of a file at once. Messages name the element (e.g. {@code operator 'conv3'}),
 * the field and the value.
 */
public final class Fields {
    private final JsonNode node;
    private final String where;
    private final List<String> problems;

    /**
     * @param node the object to read
     * @param where how messages name it, e.g. {@code "operator 'conv3'"} or {@code "section 'dram'"}
     * @param problems where problems are collected
     */
    public Fields(JsonNode node, String where, List<String> problems) {
        this.node = node;
        this.where = where;
        this.problems = problems;
    }

    /**
     * Opens a versioned settings file (a YAML mapping with a {@code format} field): unknown fields and a missing
     * or different format become problems; a file that cannot be read or is not a mapping is an error at once.
     *
     * @param file the settings file
     * @param where how messages name it, e.g. {@code "mapper settings"}
     * @param format the {@code format} value this version reads
     * @param known every field the file may have ({@code format} included)
     * @param problems where problems are collected
     */
    public static Fields settingsFile(Path file, String where, String format, Set<String> known,
                                      List<String> problems) {
        JsonNode root = InputFiles.readTree(file, InputFiles.MAX_TEXT_BYTES, "settings file");
        if (root == null || !root.isObject()) {
            throw new InvalidInputException(file.toString(), "must be a YAML mapping of settings");
        }
        Fields f = new Fields(root, where, problems);
        f.rejectUnknown(known);
        String found = f.string("format", format, true);
        if (!format.equals(found)) {
            f.problem("format", "has value (" + found + "); this version reads " + format);
        }
        return f;
    }

    public JsonNode node() {
        return node;
    }

    public String where() {
        return where;
    }

    public boolean has(String field) {
        return node.has(field) && !node.get(field).isNull();
    }

    public void problem(String field, String message) {
        problems.add(where + " field '" + field + "' " + message);
    }

    /** A problem of the element as a whole (e.g. two fields that exclude each other): {@code where + " " + message}. */
    public void problem(String message) {
        problems.add(where + " " + message);
    }

    /** Reports fields not in {@code known}, with a guess at the intended one. */
    public void rejectUnknown(Set<String> known) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!known.contains(f)) {
                String guess = closest(f, known);
                problems.add(where + " has unknown field '" + f + "'; known fields are " + known.stream().sorted().toList()
                        + (guess == null ? "" : "\n  Maybe you meant '" + guess + "'."));
            }
        }
    }

    public String string(String field, String fallback, boolean required) {
        if (!has(field)) {
            if (required) {
                problems.add(where + " is missing required field '" + field + "'");
            }
            return fallback;
        }
        JsonNode v = node.get(field);
        if (!v.isValueNode()) {
            problem(field, "has value (" + v + "); expected a string");
            return fallback;
        }
        return v.asText();
    }

    public int integer(String field, int fallback, boolean required) {
        if (has(field) && node.get(field).isIntegralNumber() && !node.get(field).canConvertToInt()) {
            problem(field, "has value (" + node.get(field) + "); " + outOfIntRange());
            return fallback;
        }
        return (int) longValue(field, fallback, required);
    }

    /**
     * A whole number in {@code [min, max]}; {@code fallback} when absent (a problem when required) or out of range
     * (a problem naming the range).
     */
    public long longInRange(String field, long fallback, long min, long max, boolean required) {
        long v = longValue(field, fallback, required);
        if (has(field) && node.get(field).isIntegralNumber() && node.get(field).canConvertToLong()
                && (v < min || v > max)) {
            problem(field, "has value (" + v + "); expected a whole number from " + min + " to " + max);
            return fallback;
        }
        return v;
    }

    private static String outOfIntRange() {
        return "whole numbers here must be from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
    }

    public long longValue(String field, long fallback, boolean required) {
        if (!has(field)) {
            if (required) {
                problems.add(where + " is missing required field '" + field + "'");
            }
            return fallback;
        }
        JsonNode v = node.get(field);
        if (!v.isIntegralNumber()) {
            problem(field, "has value (" + v + "); expected a whole number");
            return fallback;
        }
        if (!v.canConvertToLong()) {
            problem(field, "has value (" + v + "); whole numbers here must be from " + Long.MIN_VALUE + " to "
                    + Long.MAX_VALUE);
            return fallback;
        }
        return v.asLong();
    }

    /**
     * An optional whole number in {@code [min, max]}; {@code fallback} when absent. A value that is not a whole
     * number, or is out of range, is a problem naming the range, and gives {@code fallback}.
     */
    public int intInRange(String field, int fallback, int min, int max) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode v = node.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            problem(field, "has value (" + v + "); expected a whole number in [" + min + ", " + max + "]");
            return fallback;
        }
        return v.asInt();
    }

    public double number(String field, double fallback, boolean required) {
        if (!has(field)) {
            if (required) {
                problems.add(where + " is missing required field '" + field + "'");
            }
            return fallback;
        }
        JsonNode v = node.get(field);
        if (!v.isNumber()) {
            problem(field, "has value (" + v + "); expected a number");
            return fallback;
        }
        if (!Double.isFinite(v.asDouble())) {
            problem(field, "has value (" + v + "); expected a finite number");
            return fallback;
        }
        return v.asDouble();
    }

    /**
     * An optional number {@code > 0}; {@code fallback} when absent. A value that is not a number, or is not
     * {@code > 0} (NaN included), is a problem and gives {@code fallback}.
     */
    public double positiveNumber(String field, double fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode v = node.get(field);
        if (!v.isNumber() || !(v.asDouble() > 0) || !Double.isFinite(v.asDouble())) {
            problem(field, "has value (" + v + "); expected a number > 0");
            return fallback;
        }
        return v.asDouble();
    }

    public boolean bool(String field, boolean fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode v = node.get(field);
        if (!v.isBoolean()) {
            problem(field, "has value (" + v + "); expected true or false");
            return fallback;
        }
        return v.asBoolean();
    }

    /** An int or a list of ints; null when absent (and not required) or wrong. */
    public List<Integer> intList(String field, boolean required) {
        if (!has(field)) {
            if (required) {
                problems.add(where + " is missing required field '" + field + "'");
            }
            return null;
        }
        JsonNode v = node.get(field);
        List<Integer> out = new ArrayList<>();
        if (v.isIntegralNumber()) {
            if (!v.canConvertToInt()) {
                problem(field, "has value (" + v + "); " + outOfIntRange());
                return null;
            }
            out.add(v.asInt());
            return out;
        }
        if (!v.isArray()) {
            problem(field, "has value (" + v + "); expected a whole number or a list of them");
            return null;
        }
        for (JsonNode e : v) {
            if (!e.isIntegralNumber()) {
                problem(field, "has value " + v + "; every entry must be a whole number");
                return null;
            }
            if (!e.canConvertToInt()) {
                problem(field, "has value " + v + " with entry (" + e + "); " + outOfIntRange());
                return null;
            }
            out.add(e.asInt());
        }
        return out;
    }

    /** A list of strings; empty when absent and not required. */
    public List<String> stringList(String field, boolean required) {
        if (!has(field)) {
            if (required) {
                problems.add(where + " is missing required field '" + field + "'");
            }
            return List.of();
        }
        JsonNode v = node.get(field);
        List<String> out = new ArrayList<>();
        if (v.isTextual()) {
            out.add(v.asText());
            return out;
        }
        if (!v.isArray()) {
            problem(field, "has value (" + v + "); expected a list of names");
            return List.of();
        }
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                problem(field, "has value " + v + "; every entry must be a name");
                return List.of();
            }
            out.add(e.asText());
        }
        return out;
    }

    /** A nested object, or null (with a problem when required or not an object). */
    public Fields object(String field, String childWhere, boolean required) {
        if (!has(field)) {
            if (required) {
                problems.add(where + " is missing required section '" + field + "'");
            }
            return null;
        }
        JsonNode v = node.get(field);
        if (!v.isObject()) {
            problem(field, "has value (" + v + "); expected a section with fields");
            return null;
        }
        return new Fields(v, childWhere, problems);
    }

    /** The closest of {@code candidates} to {@code word}, or null when none is close. */
    public static String closest(String word, Iterable<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(word.toLowerCase(java.util.Locale.ROOT), c.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best != null && bestDistance <= Math.max(2, word.length() / 3) ? best : null;
    }

    /** Levenshtein distance. */
    public static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
