package dev.sfd.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** CSV, JSON and Markdown of {@link ComparisonRow}s, and their geometric means per planner. */
public final class ComparisonWriter {
    private ComparisonWriter() {
    }

    static final String[] CSV_COLUMNS = {"network", "hardware", "capacityBytes", "dramGBps", "planner",
        "latencyCycles", "boundRatio", "sfdSpeedup", "dramBytes", "energyPj", "peakBufferBytes", "segments",
        "optimizerSeconds", "mappingSeconds", "violations", "status", "evaluations", "stop", "error"};

    /** One line per row, a header first; empty cells for NaN. */
    public static String csv(List<ComparisonRow> rows) {
        StringBuilder b = new StringBuilder(String.join(",", CSV_COLUMNS)).append('\n');
        for (ComparisonRow r : rows) {
            List<String> c = List.of(r.network(), r.hardware(), String.valueOf(r.capacityBytes()), num(r.dramGBps()),
                    r.planner(), String.valueOf(r.latencyCycles()), num(r.boundRatio()), num(r.sfdSpeedup()),
                    String.valueOf(r.dramBytes()), num(r.energyPj()), String.valueOf(r.peakBufferBytes()),
                    String.valueOf(r.segments()), num(r.optimizerSeconds()), num(r.mappingSeconds()),
                    String.valueOf(r.violations()), r.status(), String.valueOf(r.evaluations()), r.stop(), r.error());
            List<String> quoted = new ArrayList<>();
            for (String s : c) {
                quoted.add(s.contains(",") || s.contains("\"") || s.contains("\n")
                        ? "\"" + s.replace("\"", "\"\"") + "\"" : s);
            }
            b.append(String.join(",", quoted)).append('\n');
        }
        return b.toString();
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "";
    }

    /** Geometric mean of the positive finite values, NaN when there is none. */
    public static double geomean(List<Double> values) {
        double s = 0;
        int n = 0;
        for (double v : values) {
            if (Double.isFinite(v) && v > 0) {
                s += Math.log(v);
                n++;
            }
        }
        return n == 0 ? Double.NaN : Math.exp(s / n);
    }

    /** Per planner (first-seen order), the geometric mean of a figure over its rows. */
    public static Map<String, Double> geomeanBy(List<ComparisonRow> rows,
                                                java.util.function.ToDoubleFunction<ComparisonRow> f) {
        Map<String, List<Double>> by = new LinkedHashMap<>();
        for (ComparisonRow r : rows) {
            if (!r.failed()) {
                by.computeIfAbsent(r.planner(), k -> new ArrayList<>()).add(f.applyAsDouble(r));
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        by.forEach((k, v) -> out.put(k, geomean(v)));
        return out;
    }

    /**
     * JSON: {@code {"format": FORMAT, ...header, "rows": [...], "geomean": {planner: {sfdSpeedup, boundRatio,
     * optimizerSeconds}}}}.
     */
    public static byte[] json(String format, Map<String, Object> header, List<ComparisonRow> rows) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("format", format);
            for (Map.Entry<String, Object> e : header.entrySet()) {
                g.writeFieldName(e.getKey());
                writeValue(g, e.getValue());
            }
            g.writeArrayFieldStart("rows");
            for (ComparisonRow r : rows) {
                g.writeStartObject();
                g.writeStringField("network", r.network());
                g.writeStringField("hardware", r.hardware());
                g.writeNumberField("capacityBytes", r.capacityBytes());
                number(g, "dramGBps", r.dramGBps());
                g.writeStringField("planner", r.planner());
                g.writeNumberField("latencyCycles", r.latencyCycles());
                number(g, "boundRatio", r.boundRatio());
                number(g, "sfdSpeedup", r.sfdSpeedup());
                g.writeNumberField("dramBytes", r.dramBytes());
                number(g, "energyPj", r.energyPj());
                g.writeNumberField("peakBufferBytes", r.peakBufferBytes());
                g.writeNumberField("segments", r.segments());
                number(g, "optimizerSeconds", r.optimizerSeconds());
                number(g, "mappingSeconds", r.mappingSeconds());
                g.writeNumberField("violations", r.violations());
                g.writeStringField("status", r.status());
                g.writeNumberField("evaluations", r.evaluations());
                g.writeStringField("stop", r.stop());
                g.writeStringField("error", r.error());
                g.writeEndObject();
            }
            g.writeEndArray();
            Map<String, Double> speedup = geomeanBy(rows, ComparisonRow::sfdSpeedup);
            Map<String, Double> bound = geomeanBy(rows, ComparisonRow::boundRatio);
            Map<String, Double> seconds = geomeanBy(rows, ComparisonRow::optimizerSeconds);
            g.writeObjectFieldStart("geomean");
            for (String p : bound.keySet()) {
                g.writeObjectFieldStart(p);
                number(g, "sfdSpeedup", speedup.getOrDefault(p, Double.NaN));
                number(g, "boundRatio", bound.get(p));
                number(g, "optimizerSeconds", seconds.getOrDefault(p, Double.NaN));
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Number n && !(v instanceof Double || v instanceof Float)) {
            g.writeNumber(n.longValue());
        } else if (v instanceof Number n) {
            if (Double.isFinite(n.doubleValue())) {
                g.writeNumber(n.doubleValue());
            } else {
                g.writeNull();
            }
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof List<?> l) {
            g.writeStartArray();
            for (Object o : l) {
                writeValue(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } else {
            g.writeString(String.valueOf(v));
        }
    }

    private static void number(JsonGenerator g, String field, double v) throws IOException {
        if (Double.isFinite(v)) {
            g.writeNumberField(field, v);
        } else {
            g.writeNullField(field);
        }
    }

    /** A Markdown table of cells (header first). */
    public static String markdown(List<String> header, List<List<String>> rows) {
        StringBuilder b = new StringBuilder("| ").append(String.join(" | ", header)).append(" |\n|");
        b.append("---|".repeat(header.size())).append('\n');
        for (List<String> r : rows) {
            b.append("| ").append(String.join(" | ", r).replace("\n", " ")).append(" |\n");
        }
        return b.toString();
    }
}
