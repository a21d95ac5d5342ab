package io.kexpose.proxy.dataplane.node;

import io.kexpose.proxy.dataplane.Dataplane;

import io.kexpose.proxy.model.RoutingTable;
import java.io.IOException;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Node mode: keeps the {@link DropRuleset} table in the kernel. The script replaces the whole table in one atomic
 * {@code nft -f} transaction, and only when the rendered script changed; a failed apply is retried by the sync.
 */
public final class NftablesDrops implements Dataplane {

    private static final Logger LOG = Logger.getLogger(NftablesDrops.class);

    private final HostCommand host;
    private String applied;

    public NftablesDrops(HostCommand host) {
        this.host = host;
    }

    @Override
    public synchronized void apply(RoutingTable table) throws IOException {
        String script = DropRuleset.render(table);
        if (script.equals(applied)) {
            return;
        }
        applied = null;
        host.run(List.of("nft", "-f", "-"), script);
        applied = script;
    }

    /** Removes the table (shutdown): nothing of the proxy stays in the kernel. */
    @Override
    public synchronized void close() {
        try {
            host.run(List.of("nft", "-f", "-"), "table inet " + DropRuleset.TABLE + "\ndelete table inet "
                    + DropRuleset.TABLE + "\n");
        } catch (IOException e) {
            LOG.warnf("could not remove nftables table %s: %s", DropRuleset.TABLE, e.getMessage());
        }
        applied = null;
    }
}
