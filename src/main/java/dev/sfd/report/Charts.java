package dev.sfd.report;

import dev.sfd.mapping.MappingChoice;
import dev.sfd.mapping.ParetoFront;
import dev.sfd.schedule.Plan;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.workload.Network;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.ClusteredXYBarRenderer;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PNG charts of plans, simulations and comparisons, drawn with JFreeChart in headless mode. Every method returns the
 * PNG bytes (callers write them atomically and inline them in {@code report.html}).
 */
public final class Charts {
    /** Chart size in pixels. */
    public static final int WIDTH = 1100;
    public static final int HEIGHT = 520;

    /** Segment colours, cycled. */
    static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /**
     * Gantt chart of the simulated tile schedule: one row per resource (PE array, vector unit, DMA engines), a bar per
     * task coloured by segment. Tasks of one segment closer than a pixel on the same row are drawn as one bar.
     */
    public static byte[] gantt(String title, SimulationResult r) {
        List<String> resources = new ArrayList<>();
        for (SimulationResult.Span s : r.spans()) {
            if (!"NONE".equals(s.resource()) && !resources.contains(s.resource())) {
                resources.add(s.resource());
            }
        }
        resources.sort(String::compareTo);
        long pixel = Math.max(1, r.cycles() / (2 * WIDTH));
        XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
        List<List<Integer>> segmentOf = new ArrayList<>();
        for (int i = 0; i < resources.size(); i++) {
            String res = resources.get(i);
            XYIntervalSeries series = new XYIntervalSeries(res);
            List<Integer> segs = new ArrayList<>();
            long start = -1;
            long end = -1;
            int seg = -1;
            List<SimulationResult.Span> spans = r.spans().stream().filter(s -> s.resource().equals(res))
                    .sorted((a, b) -> Long.compare(a.startCycle(), b.startCycle())).toList();
            for (SimulationResult.Span s : spans) {
                if (seg == s.segment() && s.startCycle() <= end + pixel) {
                    end = Math.max(end, s.endCycle());
                    continue;
                }
                if (seg >= 0) {
                    series.add((start + end) / 2.0, start, end, i, i - 0.35, i + 0.35);
                    segs.add(seg);
                }
                start = s.startCycle();
                end = s.endCycle();
                seg = s.segment();
            }
            if (seg >= 0) {
                series.add((start + end) / 2.0, start, end, i, i - 0.35, i + 0.35);
                segs.add(seg);
            }
            data.addSeries(series);
            segmentOf.add(segs);
        }
        XYBarRenderer renderer = new XYBarRenderer() {
            private static final long serialVersionUID = 1L;

            @Override
            public Paint getItemPaint(int series, int item) {
                return PALETTE[segmentOf.get(series).get(item) % PALETTE.length];
            }
        };
        renderer.setUseYInterval(true);
        renderer.setBarPainter(new StandardXYBarPainter());
        renderer.setShadowVisible(false);
        renderer.setDrawBarOutline(false);
        NumberAxis time = new NumberAxis("cycle");
        SymbolAxis rows = new SymbolAxis("resource", resources.toArray(new String[0]));
        XYPlot plot = new XYPlot(data, time, rows, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        long timed = r.spans().stream().filter(x -> !"NONE".equals(x.resource())).count();
        chart.addSubtitle(new TextTitle(timed + " tasks on the units, " + r.segments().size()
                + " segments (colour = segment), " + String.format(java.util.Locale.ROOT, "%,d", r.cycles())
                + " cycles"));
        return png(chart, WIDTH, Math.max(260, 90 + 50 * resources.size()));
    }

    /** Global-buffer occupancy over time, as simulated, with the capacity as a line. */
    public static byte[] occupancy(String title, SimulationResult r, long capacityBytes) {
        XYSeries s = new XYSeries("occupancy", true, true);
        long[] c = r.occupancyCycles();
        long[] b = r.occupancyBytes();
        int step = Math.max(1, (c.length + 3999) / 4000);
        for (int i = 0; i < c.length; i += step) {
            long max = 0;
            for (int j = i; j < Math.min(c.length, i + step); j++) {
                max = Math.max(max, b[j]);
            }
            s.addOrUpdate(c[i], max / 1024.0);
        }
        s.addOrUpdate(r.cycles(), 0.0);
        XYStepRenderer renderer = new XYStepRenderer();
        renderer.setSeriesPaint(0, PALETTE[0]);
        renderer.setSeriesStroke(0, new BasicStroke(1.2f));
        NumberAxis y = new NumberAxis("occupancy (KiB)");
        y.setUpperBound(capacityBytes / 1024.0 * 1.1);
        XYPlot plot = new XYPlot(new XYSeriesCollection(s), new NumberAxis("cycle"), y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ValueMarker cap = new ValueMarker(capacityBytes / 1024.0, Color.RED, new BasicStroke(2f, BasicStroke.CAP_BUTT,
                BasicStroke.JOIN_MITER, 1f, new float[] {8f, 5f}, 0f));
        cap.setLabel("capacity " + capacityBytes / 1024 + " KiB");
        cap.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        cap.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        cap.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
        plot.addRangeMarker(cap);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.addSubtitle(new TextTitle(String.format(java.util.Locale.ROOT, "peak %,d of %,d bytes (%.1f%%)",
                r.peakBufferBytes(), capacityBytes, 100.0 * r.peakBufferBytes() / capacityBytes)));
        return png(chart, WIDTH, HEIGHT);
    }

    /** DRAM bytes per operator (topological index) of the plan beside the layer-by-layer plan. */
    public static byte[] dramPerLayer(String title, Network net, Plan plan, Plan layerwise) {
        Map<String, Long> a = DramByLayer.of(net, plan);
        Map<String, Long> b = DramByLayer.of(net, layerwise);
        XYSeries sp = new XYSeries(plan.planner());
        XYSeries sl = new XYSeries("layer by layer");
        long total = 0;
        long totalLw = 0;
        for (int i = 0; i < net.operators().size(); i++) {
            String op = net.operators().get(i).name();
            sp.add(i, a.getOrDefault(op, 0L) / 1024.0);
            sl.add(i, b.getOrDefault(op, 0L) / 1024.0);
            total += a.getOrDefault(op, 0L);
            totalLw += b.getOrDefault(op, 0L);
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(sl);
        data.addSeries(sp);
        data.setIntervalWidth(0.9);
        ClusteredXYBarRenderer renderer = new ClusteredXYBarRenderer();
        renderer.setBarPainter(new StandardXYBarPainter());
        renderer.setShadowVisible(false);
        renderer.setSeriesPaint(0, new Color(0xaaaaaa));
        renderer.setSeriesPaint(1, PALETTE[0]);
        NumberAxis x = new NumberAxis("operator (topological index)");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        XYPlot plot = new XYPlot(data, x, new NumberAxis("DRAM KiB"), renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.addSubtitle(new TextTitle(String.format(java.util.Locale.ROOT,
                "DRAM bytes read and written by each operator's loads and stores: %s %,d, layer by layer %,d",
                plan.planner(), total, totalLw)));
        return png(chart, WIDTH, HEIGHT);
    }

    /**
     * The segment map: operators along the x axis (topological index), one bar per segment spanning its operators,
     * its height the segment's simulated cycles; fused segments coloured, single operators grey.
     */
    public static byte[] segmentMap(String title, Network net, Plan plan, SimulationResult r) {
        XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
        XYIntervalSeries fused = new XYIntervalSeries("fused segment");
        XYIntervalSeries single = new XYIntervalSeries("single operator");
        List<Integer> fusedIndex = new ArrayList<>();
        int fusedCount = 0;
        for (int s = 0; s < plan.segments().size(); s++) {
            List<String> ops = plan.segments().get(s).operators();
            int lo = Integer.MAX_VALUE;
            int hi = Integer.MIN_VALUE;
            for (String op : ops) {
                lo = Math.min(lo, net.topoIndex(op));
                hi = Math.max(hi, net.topoIndex(op));
            }
            double cycles = s < r.segments().size() ? r.segments().get(s).cycles() : 0;
            if (ops.size() > 1) {
                fused.add((lo + hi + 1) / 2.0, lo, hi + 1, cycles, 0, cycles);
                fusedIndex.add(fusedCount++);
            } else {
                single.add((lo + hi + 1) / 2.0, lo + 0.1, hi + 0.9, cycles, 0, cycles);
            }
        }
        data.addSeries(fused);
        data.addSeries(single);
        XYBarRenderer renderer = new XYBarRenderer() {
            private static final long serialVersionUID = 1L;

            @Override
            public Paint getItemPaint(int series, int item) {
                return series == 0 ? PALETTE[fusedIndex.get(item) % PALETTE.length] : new Color(0xbbbbbb);
            }
        };
        renderer.setUseYInterval(true);
        renderer.setBarPainter(new StandardXYBarPainter());
        renderer.setShadowVisible(false);
        renderer.setDrawBarOutline(true);
        renderer.setDefaultOutlinePaint(Color.WHITE);
        renderer.setSeriesPaint(0, PALETTE[0]);
        renderer.setSeriesPaint(1, new Color(0xbbbbbb));
        NumberAxis x = new NumberAxis("operator (topological index)");
        x.setRange(0, net.operators().size());
        XYPlot plot = new XYPlot(data, x, new NumberAxis("segment cycles"), renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.addSubtitle(new TextTitle(plan.segments().size() + " segments over " + net.operators().size()
                + " operators; " + fused.getItemCount() + " fused (bar width = operators, height = cycles)"));
        return png(chart, WIDTH, HEIGHT);
    }

    /** The Pareto front of one layer: footprint against latency alone, the best mapping at capacity marked. */
    public static byte[] paretoFront(String title, ParetoFront front, long capacityBytes) {
        XYSeries points = new XYSeries("front (" + front.points().size() + " mappings)", false, true);
        XYSeries best = new XYSeries("best at capacity", false, true);
        for (MappingChoice c : front.points()) {
            points.add(c.footprintBytes() / 1024.0, c.latencyCycles());
        }
        front.best(capacityBytes).ifPresent(c -> best.add(c.footprintBytes() / 1024.0, c.latencyCycles()));
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(points);
        data.addSeries(best);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(false, true);
        renderer.setSeriesPaint(0, PALETTE[0]);
        renderer.setSeriesPaint(1, Color.RED);
        renderer.setSeriesShape(1, new java.awt.geom.Ellipse2D.Double(-6, -6, 12, 12));
        LogAxis x = new LogAxis("footprint (KiB, log scale)");
        x.setSmallestValue(0.01);
        x.setNumberFormatOverride(new java.text.DecimalFormat("#,##0.##"));
        LogAxis y = new LogAxis("latency alone (cycles, log scale)");
        y.setNumberFormatOverride(new java.text.DecimalFormat("0.#E0"));
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        ValueMarker cap = new ValueMarker(capacityBytes / 1024.0, Color.RED, new BasicStroke(1.5f));
        cap.setLabel("capacity");
        cap.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        cap.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
        plot.addDomainMarker(cap);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        return png(chart, WIDTH, HEIGHT);
    }

    /** Bars of one value per category (planner, problem, ...), with an optional reference line. */
    public static byte[] bars(String title, String subtitle, String valueLabel, Map<String, Double> values,
                              Double reference, String referenceLabel) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Map.Entry<String, Double> e : values.entrySet()) {
            data.addValue(e.getValue(), valueLabel, e.getKey());
        }
        return categoryBars(title, subtitle, valueLabel, data, reference, referenceLabel);
    }

    /** Grouped bars: {@code values.get(series).get(category)}. */
    public static byte[] groupedBars(String title, String subtitle, String valueLabel,
                                     Map<String, Map<String, Double>> values, Double reference,
                                     String referenceLabel) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Map.Entry<String, Map<String, Double>> s : values.entrySet()) {
            for (Map.Entry<String, Double> e : s.getValue().entrySet()) {
                data.addValue(e.getValue(), s.getKey(), e.getKey());
            }
        }
        return categoryBars(title, subtitle, valueLabel, data, reference, referenceLabel);
    }

    private static byte[] categoryBars(String title, String subtitle, String valueLabel, DefaultCategoryDataset data,
                                       Double reference, String referenceLabel) {
        CategoryAxis x = new CategoryAxis();
        if (data.getColumnCount() > 8) {
            x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        }
        BarRenderer renderer = new BarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        for (int i = 0; i < data.getRowCount(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        renderer.setDefaultItemLabelGenerator(new org.jfree.chart.labels.StandardCategoryItemLabelGenerator(
                "{2}", new java.text.DecimalFormat("#,##0.###")));
        renderer.setDefaultItemLabelsVisible(data.getRowCount() * data.getColumnCount() <= 40);
        CategoryPlot plot = new CategoryPlot(data, x, new NumberAxis(valueLabel), renderer);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        if (reference != null) {
            ValueMarker m = new ValueMarker(reference, Color.RED, new BasicStroke(2f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 1f, new float[] {8f, 5f}, 0f));
            m.setLabel(referenceLabel);
            m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            m.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
            plot.addRangeMarker(m);
        }
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, data.getRowCount() > 1);
        if (subtitle != null && !subtitle.isEmpty()) {
            chart.addSubtitle(new TextTitle(subtitle));
        }
        return png(chart, WIDTH, HEIGHT);
    }

    /** Lines: {@code series.get(name)} maps x to y; x on a log scale when {@code logX}. */
    public static byte[] lines(String title, String subtitle, String xLabel, String yLabel,
                               Map<String, Map<Double, Double>> series, boolean logX) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, Map<Double, Double>> s : series.entrySet()) {
            XYSeries xy = new XYSeries(s.getKey(), true, true);
            s.getValue().forEach(xy::add);
            data.addSeries(xy);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            renderer.setSeriesStroke(i, new BasicStroke(1.8f));
        }
        NumberAxis x;
        if (logX) {
            LogAxis lx = new LogAxis(xLabel);
            lx.setBase(2);
            lx.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            lx.setNumberFormatOverride(new java.text.DecimalFormat("#,##0"));
            XYPlot plot = new XYPlot(data, lx, yAxis(yLabel), renderer);
            return linesChart(title, subtitle, plot);
        }
        x = new NumberAxis(xLabel);
        x.setAutoRangeIncludesZero(false);
        return linesChart(title, subtitle, new XYPlot(data, x, yAxis(yLabel), renderer));
    }

    private static NumberAxis yAxis(String label) {
        NumberAxis y = new NumberAxis(label);
        y.setAutoRangeIncludesZero(false);
        return y;
    }

    private static byte[] linesChart(String title, String subtitle, XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        if (subtitle != null && !subtitle.isEmpty()) {
            chart.addSubtitle(new TextTitle(subtitle));
        }
        return png(chart, WIDTH, HEIGHT);
    }

    static byte[] png(JFreeChart chart, int width, int height) {
        chart.setBackgroundPaint(Color.WHITE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, width, height);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The four charts of a simulated plan, by file name (gantt.png, occupancy.png, dram-per-layer.png, segments.png). */
    public static Map<String, byte[]> planCharts(Network net, Plan plan, SimulationResult r, Plan layerwise) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        String what = net.name() + " on " + plan.hardware().name() + ", planner " + plan.planner();
        m.put("gantt.png", gantt("Tile schedule per resource: " + what, r));
        m.put("occupancy.png", occupancy("Global buffer occupancy: " + what, r,
                plan.hardware().globalBuffer().capacityBytes()));
        m.put("dram-per-layer.png", dramPerLayer("DRAM traffic per operator: " + what + " vs layer by layer", net,
                plan, layerwise));
        m.put("segments.png", segmentMap("Segment map: " + what, net, plan, r));
        return m;
    }
}
