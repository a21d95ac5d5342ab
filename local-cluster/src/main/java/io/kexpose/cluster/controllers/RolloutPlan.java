package io.kexpose.cluster.controllers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One step of a Deployment's rollout, as Kubernetes' Deployment controller takes it: from the ReplicaSets as they are
 * (the new one, whose template is the Deployment's, and the old ones, oldest first), the replica count each should
 * have now. Pure: the controller applies the counts and comes back when pods have changed.
 * <ul>
 * <li>RollingUpdate: the new ReplicaSet grows while the total stays within replicas + maxSurge; old ones shrink
 * while the available pods stay at least replicas - maxUnavailable, their unavailable pods first.</li>
 * <li>Recreate: the old ReplicaSets go to zero; the new one grows only once no old pod is left.</li>
 * </ul>
 */
public final class RolloutPlan {

    /** A ReplicaSet as the plan sees it: its wanted replicas and how many of its pods are available. */
    public record Replicas(String name, int wanted, int available) {
    }

    private RolloutPlan() {
    }

    /** maxSurge (rounded up) and maxUnavailable (rounded down) of {@code desired}; never both zero. */
    public record Fenceposts(int surge, int unavailable) {
        public static Fenceposts of(String maxSurge, String maxUnavailable, int desired) {
            int surge = scaled(maxSurge, desired, true);
            int unavailable = Math.min(scaled(maxUnavailable, desired, false), desired);
            if (surge == 0 && unavailable == 0) {
                unavailable = 1;
            }
            return new Fenceposts(surge, unavailable);
        }

        static int scaled(String value, int total, boolean roundUp) {
            if (value.endsWith("%")) {
                int percent = Integer.parseInt(value.substring(0, value.length() - 1));
                return roundUp ? (int) Math.ceil(percent * total / 100.0) : (int) Math.floor(percent * total / 100.0);
            }
            return Integer.parseInt(value);
        }
    }

    /** The counts one RollingUpdate step sets, by ReplicaSet name (only those that change). */
    public static Map<String, Integer> rollingUpdate(int desired, Fenceposts f, Replicas newer, List<Replicas> older) {
        Map<String, Integer> next = new LinkedHashMap<>();
        int total = newer.wanted() + older.stream().mapToInt(Replicas::wanted).sum();
        if (newer.wanted() > desired) {
            next.put(newer.name(), desired);
            return next;
        }
        if (newer.wanted() < desired) {
            int up = Math.min(desired + f.surge() - total, desired - newer.wanted());
            if (up > 0) {
                next.put(newer.name(), newer.wanted() + up);
                return next; // as upstream: scaling up is this step; the old ones shrink on the next
            }
        }
        int minAvailable = desired - f.unavailable();
        int newUnavailable = Math.max(0, newer.wanted() - newer.available());
        int maxScaledDown = total - minAvailable - newUnavailable;
        if (maxScaledDown <= 0) {
            return next;
        }
        // First the old pods that are not available: removing them costs no availability.
        Map<String, Integer> wanted = new LinkedHashMap<>();
        older.forEach(r -> wanted.put(r.name(), r.wanted()));
        int cleaned = 0;
        for (Replicas r : older) {
            if (cleaned >= maxScaledDown) {
                break;
            }
            int unhealthy = r.wanted() - Math.min(r.available(), r.wanted());
            if (unhealthy > 0) {
                int down = Math.min(maxScaledDown - cleaned, unhealthy);
                wanted.put(r.name(), r.wanted() - down);
                cleaned += down;
            }
        }
        // Then available ones, as long as enough stay available.
        int available = newer.available() + older.stream().mapToInt(r -> Math.min(r.available(), r.wanted())).sum();
        int budget = available - minAvailable;
        int scaledDown = 0;
        for (Replicas r : older) {
            if (scaledDown >= budget) {
                break;
            }
            int now = wanted.get(r.name());
            int down = Math.min(now, budget - scaledDown);
            if (down > 0) {
                wanted.put(r.name(), now - down);
                scaledDown += down;
            }
        }
        older.forEach(r -> {
            if (wanted.get(r.name()) != r.wanted()) {
                next.put(r.name(), wanted.get(r.name()));
            }
        });
        return next;
    }

    /** The counts one Recreate step sets: old ones to zero; the new one to desired once {@code oldPodsLeft} is 0. */
    public static Map<String, Integer> recreate(int desired, Replicas newer, List<Replicas> older, int oldPodsLeft) {
        Map<String, Integer> next = new LinkedHashMap<>();
        older.stream().filter(r -> r.wanted() > 0).forEach(r -> next.put(r.name(), 0));
        if (next.isEmpty() && oldPodsLeft == 0 && newer.wanted() != desired) {
            next.put(newer.name(), desired);
        }
        return next;
    }
}
