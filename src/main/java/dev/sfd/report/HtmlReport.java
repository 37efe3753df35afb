package dev.sfd.report;

import dev.sfd.common.AtomicFiles;
import dev.sfd.cost.Mapping;
import dev.sfd.schedule.Plan;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.workload.LoopDim;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * {@code report.html}: one self-contained page (no scripts, no network: every chart is inlined as a PNG data URI)
 * with a summary, tables, the charts and the segment list of a plan (each segment's operators, their mappings and
 * the segment's simulated cycles, memory and DRAM traffic).
 */
public final class HtmlReport {
    private HtmlReport() {
    }

    /** A table: caption, column names, rows of cells (plain text, escaped when rendered). */
    public record Table(String caption, List<String> header, List<List<String>> rows) {
        public Table {
            header = List.copyOf(header);
            rows = rows.stream().map(List::copyOf).toList();
        }
    }

    /** A chart: its caption and PNG bytes. */
    public record Image(String caption, byte[] png) {
    }

    /** Writes the page atomically. */
    public static void write(Path file, String title, List<Table> tables, List<Image> images) {
        AtomicFiles.writeString(file, render(title, tables, images));
    }

    /** The page. */
    public static String render(String title, List<Table> tables, List<Image> images) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>").append(esc(title))
                .append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}\n")
                .append("table{border-collapse:collapse;margin:8px 0 24px 0;font-size:13px}\n")
                .append("th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}\n")
                .append("th{background:#eee}td.num{text-align:right;font-variant-numeric:tabular-nums}\n")
                .append("figure{margin:16px 0}img{max-width:100%;border:1px solid #ddd}\n")
                .append("figcaption{font-size:13px;color:#555}\n</style></head>\n<body>\n<h1>").append(esc(title))
                .append("</h1>\n");
        for (Table t : tables) {
            h.append("<h2>").append(esc(t.caption())).append("</h2>\n<table>\n");
            if (t.header().stream().anyMatch(c -> !c.isEmpty())) {
                h.append("<tr>");
                for (String c : t.header()) {
                    h.append("<th>").append(esc(c)).append("</th>");
                }
                h.append("</tr>\n");
            }
            for (List<String> row : t.rows()) {
                h.append("<tr>");
                for (String c : row) {
                    h.append(numeric(c) ? "<td class=\"num\">" : "<td>").append(esc(c)).append("</td>");
                }
                h.append("</tr>\n");
            }
            h.append("</table>\n");
        }
        if (!images.isEmpty()) {
            h.append("<h2>Charts</h2>\n");
        }
        for (Image i : images) {
            h.append("<figure><img alt=\"").append(esc(i.caption())).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(i.png())).append("\"><figcaption>")
                    .append(esc(i.caption())).append("</figcaption></figure>\n");
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    /** Key-value summary rows as a two-column table. */
    public static Table summary(String caption, List<String[]> pairs) {
        List<List<String>> rows = new ArrayList<>();
        for (String[] p : pairs) {
            rows.add(List.of(p[0], p[1]));
        }
        return new Table(caption, List.of("", ""), rows);
    }

    /** The segment list of a simulated plan: operators with their mappings, cycles, peak buffer and DRAM bytes. */
    public static Table segments(String caption, Plan plan, SimulationResult r) {
        List<List<String>> rows = new ArrayList<>();
        for (SimulationResult.SegmentResult s : r.segments()) {
            List<String> ops = plan.segments().get(s.index()).operators();
            StringBuilder m = new StringBuilder();
            for (String op : ops) {
                m.append(m.length() == 0 ? "" : "\n").append(op).append(": ").append(describe(plan.mappings().get(op)));
            }
            rows.add(List.of(String.valueOf(s.index()), String.valueOf(ops.size()), m.toString(),
                    String.format(Locale.ROOT, "%,d", s.cycles()), String.format(Locale.ROOT, "%,d", s.peakBufferBytes()),
                    String.format(Locale.ROOT, "%,d", s.dramReadBytes()),
                    String.format(Locale.ROOT, "%,d", s.dramWriteBytes())));
        }
        return new Table(caption, List.of("#", "operators", "operators and mappings", "cycles", "peak GLB bytes",
                "DRAM read", "DRAM written"), rows);
    }

    /** A mapping in one line: GLB tile, spatial unrolling, outer order, double buffering. */
    static String describe(Mapping m) {
        if (m == null) {
            return "layout (no mapping)";
        }
        StringBuilder t = new StringBuilder("tile");
        for (LoopDim d : LoopDim.values()) {
            t.append(' ').append(d).append(m.tile(d));
        }
        Mapping.SpatialUnroll u = m.spatial();
        t.append("; PE rows ").append(u.rowDim()).append('x').append(u.rowFactor()).append(", cols ")
                .append(u.colDim()).append('x').append(u.colFactor());
        t.append("; order ");
        for (LoopDim d : m.outerOrder()) {
            t.append(d);
        }
        if (m.doubleBuffered()) {
            t.append("; double-buffered");
        }
        return t.toString();
    }

    private static boolean numeric(String s) {
        return !s.isEmpty() && s.matches("[-+]?[0-9][0-9,]*(\\.[0-9]+)?[x%]?");
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\n' -> b.append("<br>");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
