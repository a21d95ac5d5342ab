package io.kexpose.proxy.dataplane;

import io.kexpose.proxy.model.RoutingTable;
import java.util.ArrayList;
import java.util.List;

/** Applies the table to several dataplanes in order; every one is applied even if an earlier one fails. */
public final class CompositeDataplane implements Dataplane {

    private final List<Dataplane> parts;

    public CompositeDataplane(List<Dataplane> parts) {
        this.parts = List.copyOf(parts);
    }

    @Override
    public void apply(RoutingTable table) throws Exception {
        List<String> failures = new ArrayList<>();
        for (Dataplane d : parts) {
            try {
                d.apply(table);
            } catch (Exception e) {
                failures.add(e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException(String.join("; ", failures));
        }
    }

    @Override
    public void close() {
        parts.forEach(Dataplane::close);
    }
}
