package io.kexpose.lb.config;

import io.kexpose.lb.model.IpRange;
import io.kexpose.lb.model.LabelSelector;
import io.kexpose.lb.model.Pool;
import io.kexpose.lb.model.Pools;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Configuration → {@link Pools}; a malformed address, range or selector, or an overlap, fails startup
 * (pool-validation).
 */
public final class PoolSettings {

    private PoolSettings() {
    }

    public static Pools from(Map<String, LbConfig.PoolConfig> config) {
        List<Pool> pools = new ArrayList<>();
        for (var e : config.entrySet()) {
            LbConfig.PoolConfig c = e.getValue();
            List<IpRange> ranges = new ArrayList<>();
            for (String a : c.addresses()) {
                if (a.isBlank()) {
                    continue;
                }
                try {
                    ranges.add(IpRange.parse(a));
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException("address pool \"" + e.getKey() + "\": " + ex.getMessage(), ex);
                }
            }
            pools.add(new Pool(e.getKey(), ranges, c.autoAssign(), c.avoidBuggyIps(), c.priority(),
                    Set.copyOf(c.namespaces().orElse(List.of())),
                    c.namespaceSelectors().orElse(List.of()).stream().map(LabelSelector::parse).toList(),
                    c.serviceSelectors().orElse(List.of()).stream().map(LabelSelector::parse).toList()));
        }
        return new Pools(pools);
    }
}
