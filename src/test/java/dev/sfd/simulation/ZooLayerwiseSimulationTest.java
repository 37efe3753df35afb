package dev.sfd.simulation;

import dev.sfd.cost.CostModel;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.planner.LayerwisePlanner;
import dev.sfd.planner.PlanRequest;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.Plan;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Golden corpus: every zoo network plans layer by layer and simulates with zero violations. */
class ZooLayerwiseSimulationTest {

    static List<String> zoo() {
        return NetworkCatalog.ZOO;
    }

    @ParameterizedTest
    @MethodSource("zoo")
    void everyZooNetworkSimulatesWithoutViolations(String name) {
        Network net = NetworkCatalog.resolve(name);
        Hardware hw = HardwareCatalog.resolve("edge");
        Plan plan = new LayerwisePlanner().plan(new PlanRequest(net, new NetworkRef(name, net.batch()), hw));
        CostModel cost = new CostModel(hw);
        SimulationResult r = new Simulator(net, cost::tileComputeCycles, false).run(plan);
        System.out.printf("%s: tasks=%d cycles=%d dramR=%d dramW=%d peak=%d events=%d violations=%d%n", name,
                plan.taskCount(), r.cycles(), r.dramReadBytes(), r.dramWriteBytes(), r.peakBufferBytes(), r.events(),
                r.violations().size());
        r.violations().stream().limit(10).forEach(System.out::println);
        assertTrue(r.violations().isEmpty(), () -> r.violations().size() + " violations, first: " + r.violations().get(0));
        assertTrue(r.peakBufferBytes() <= hw.globalBuffer().capacityBytes());
    }
}
