package dev.sfd.mapping;

import dev.sfd.cost.LayerShape;
import dev.sfd.hardware.Hardware;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Maps every compute layer of a network with one mapper, each distinct layer shape once, optionally in parallel. */
public final class NetworkMapper {
    private static final Logger LOGGER = LogManager.getLogger();

    private NetworkMapper() {
    }

    /**
     * @param threads layers mapped concurrently (1 = sequential)
     * @throws MappingInfeasibleException naming the first layer (topological order) that cannot fit the GLB
     */
    public static NetworkMapping map(Mapper mapper, Network net, Hardware hw, int threads) {
        Objects.requireNonNull(mapper, "mapper");
        Objects.requireNonNull(net, "net");
        Objects.requireNonNull(hw, "hw");
        long start = System.nanoTime();
        Map<String, Operator> firstOfShape = new LinkedHashMap<>();
        List<Operator> compute = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (Operator op : net.operators()) {
            LayerShape.of(net, op).ifPresent(s -> {
                compute.add(op);
                keys.add(s.key());
                firstOfShape.putIfAbsent(s.key(), op);
            });
        }
        Map<String, ParetoFront> byShape = new LinkedHashMap<>();
        if (threads <= 1) {
            for (Map.Entry<String, Operator> e : firstOfShape.entrySet()) {
                byShape.put(e.getKey(), mapper.front(net, e.getValue(), hw));
            }
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                Map<String, Future<ParetoFront>> futures = new LinkedHashMap<>();
                for (Map.Entry<String, Operator> e : firstOfShape.entrySet()) {
                    futures.put(e.getKey(), pool.submit(() -> mapper.front(net, e.getValue(), hw)));
                }
                for (Map.Entry<String, Future<ParetoFront>> e : futures.entrySet()) {
                    byShape.put(e.getKey(), e.getValue().get());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while mapping " + net.name(), e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(e.getCause());
            } finally {
                pool.shutdownNow();
            }
        }
        List<ParetoFront> fronts = new ArrayList<>();
        for (int i = 0; i < compute.size(); i++) {
            ParetoFront f = byShape.get(keys.get(i)).renamed(compute.get(i).name());
            LOGGER.debug("Layer ({}) front ({} points), min footprint ({} bytes)", compute.get(i).name(),
                    f.points().size(), f.minFootprintBytes());
            fronts.add(f);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        LOGGER.info("Mapped ({}) compute layers ({} distinct shapes) of {} with {} in ({} ms)", compute.size(),
                byShape.size(), net.name(), mapper.name(), ms);
        return new NetworkMapping(net.name(), hw.name(), mapper.name(), hw.globalBuffer().capacityBytes(), fronts,
                byShape.size(), ms);
    }
}
