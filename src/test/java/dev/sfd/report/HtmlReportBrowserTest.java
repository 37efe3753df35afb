package dev.sfd.report;

import dev.sfd.cost.LowerBounds;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.planner.LayerwisePlanner;
import dev.sfd.planner.PlanRequest;
import dev.sfd.planner.baseline.BaselineSettings;
import dev.sfd.planner.baseline.LayerwiseFusedPlanner;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.Plan;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.simulation.Simulator;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkReader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The charts are real PNGs of the size drawn, DRAM per layer adds up to the simulator's total, and report.html renders
 * in headless Chromium with every image decoded and no console error. Chromium is Debian's {@code chromium} (CI's
 * {@code .ci/run} installs it); without it the browser part is skipped with a printed reason, except under CI
 * ({@code CI=true}), where a missing browser fails the test.
 */
class HtmlReportBrowserTest {
    static final String NET = """
            format: sfd-network/1
            name: pair
            inputs:
              - {name: x, shape: [1, 8, 16, 16]}
            outputs: [r2]
            operators:
              - {name: c1, op: conv, inputs: [x], channels: 8, kernel: 3, padding: 1}
              - {name: r1, op: relu, inputs: [c1]}
              - {name: c2, op: conv, inputs: [r1], channels: 8, kernel: 3, padding: 1}
              - {name: r2, op: relu, inputs: [c2]}
            """;

    record Fixture(Network net, Plan plan, SimulationResult sim, Plan layerwise, LowerBounds.LowerBound bound) {
    }

    static Fixture fixture() {
        Network net = NetworkReader.parse("pair.yaml", NET, null);
        Hardware hw = HardwareCatalog.resolve("edge");
        PlanRequest request = new PlanRequest(net, new NetworkRef("pair.yaml", 1), hw);
        Plan fused = new LayerwiseFusedPlanner(new dev.sfd.mapping.HeuristicMapper(),
                BaselineSettings.defaults().withMapperThreads(1)).plan(request);
        Plan layerwise = new LayerwisePlanner().plan(request);
        SimulationResult sim = new Simulator(net, true).run(fused);
        assertTrue(sim.violations().isEmpty(), sim.violations().toString());
        return new Fixture(net, fused, sim, layerwise, LowerBounds.of(net, hw));
    }

    @Test
    void chartsArePngsAndDramPerLayerAddsUpToTheSimulatedTotal() throws IOException {
        Fixture f = fixture();
        Map<String, byte[]> charts = Charts.planCharts(f.net(), f.plan(), f.sim(), f.layerwise());
        assertEquals(List.of("gantt.png", "occupancy.png", "dram-per-layer.png", "segments.png"),
                List.copyOf(charts.keySet()));
        for (Map.Entry<String, byte[]> e : charts.entrySet()) {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(e.getValue()));
            assertNotNull(img, e.getKey());
            assertEquals(Charts.WIDTH, img.getWidth(), e.getKey());
            assertTrue(distinctColours(img) > 5, e.getKey() + " looks blank");
        }
        long perLayer = DramByLayer.of(f.net(), f.plan()).values().stream().mapToLong(Long::longValue).sum();
        assertEquals(f.sim().dramReadBytes() + f.sim().dramWriteBytes(), perLayer);
        SimulationResult lw = new Simulator(f.net(), false).run(f.layerwise());
        assertEquals(lw.dramReadBytes() + lw.dramWriteBytes(),
                DramByLayer.of(f.net(), f.layerwise()).values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void reportRendersInHeadlessChromiumWithEveryImageAndNoConsoleError(@TempDir Path dir)
            throws IOException, InterruptedException {
        String chromium = findChromium();
        if (chromium == null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("chromium is not installed; .ci/run installs Debian's chromium package");
            }
            System.out.println("SKIPPED HtmlReportBrowserTest: no chromium on PATH (apt-get install -y chromium)");
            Assumptions.abort("no chromium on PATH");
        }
        Fixture f = fixture();
        List<HtmlReport.Image> images = new ArrayList<>();
        Charts.planCharts(f.net(), f.plan(), f.sim(), f.layerwise())
                .forEach((k, v) -> images.add(new HtmlReport.Image(k, v)));
        String html = HtmlReport.render("report of " + f.net().name(), List.of(
                HtmlReport.summary("Summary", List.<String[]>of(new String[] {"latency", f.sim().cycles() + " cycles"})),
                HtmlReport.segments("Segments", f.plan(), f.sim())), images);
        assertFalse(html.contains("http://") || html.contains("https://") || html.contains("<script"),
                "self-contained, no scripts");
        Path page = dir.resolve("report.html");
        Files.writeString(page, html);
        // A probe page embeds the report unchanged and reports each image's decode state in its DOM and console.
        Path probe = dir.resolve("probe.html");
        Files.writeString(probe, html.replace("</body>", """
                <script>
                window.addEventListener('load', () => {
                  const bad = [...document.images].filter(i => !i.complete || i.naturalWidth === 0).length;
                  document.body.setAttribute('data-images', document.images.length + ' ' + bad);
                  if (bad > 0) console.error('images not decoded: ' + bad);
                });
                </script></body>"""));
        Path shot = dir.resolve("shot.png");
        Run s = chromium(chromium, dir, "--screenshot=" + shot, "--window-size=1200,2400", page.toUri().toString());
        assertTrue(Files.isRegularFile(shot), "no screenshot; chromium said:\n" + s.err());
        BufferedImage img = ImageIO.read(shot.toFile());
        assertNotNull(img);
        assertTrue(distinctColours(img) > 20, "blank screenshot");
        assertFalse(consoleErrors(s.err()), "console errors:\n" + s.err());
        Run d = chromium(chromium, dir, "--dump-dom", "--virtual-time-budget=5000", probe.toUri().toString());
        assertFalse(consoleErrors(d.err()), "console errors:\n" + d.err());
        assertTrue(d.out().contains("data-images=\"4 0\""), "images not all decoded: "
                + d.out().replaceAll("base64,[A-Za-z0-9+/=]+", "base64,...").lines().filter(l -> l.contains("<body"))
                .findFirst().orElse(d.out().length() > 400 ? d.out().substring(0, 400) : d.out()));
    }

    record Run(String out, String err) {
    }

    /**
     * Chromium logs every console message as {@code INFO:CONSOLE(line)] "text", source: ...} whatever its level; the
     * report has no script and the probe logs only on failure, so any console line is an error here.
     */
    static boolean consoleErrors(String stderr) {
        return stderr.lines().anyMatch(l -> l.contains(":CONSOLE"));
    }

    static Run chromium(String exe, Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(exe, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--enable-logging=stderr", "--v=0",
                "--user-data-dir=" + Files.createTempDirectory(dir, "profile")));
        cmd.addAll(List.of(args));
        File out = dir.resolve("out-" + System.nanoTime() + ".txt").toFile();
        File err = dir.resolve("err-" + System.nanoTime() + ".txt").toFile();
        Process p = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish in 120 s: " + cmd);
        }
        return new Run(Files.readString(out.toPath(), StandardCharsets.UTF_8),
                Files.readString(err.toPath(), StandardCharsets.UTF_8));
    }

    static String findChromium() {
        for (String name : List.of("chromium", "chromium-browser")) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        return null;
    }

    static int distinctColours(BufferedImage img) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                seen.add(img.getRGB(x, y));
                if (seen.size() > 50) {
                    return seen.size();
                }
            }
        }
        return seen.size();
    }
}
