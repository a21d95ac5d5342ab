package io.kexpose.cluster.api;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each part of a pod's log was written, for {@code kubectl logs --timestamps} and {@code --since}: the
 * containers write their log files themselves, so the kubelet notes, every quarter of a second, how far each file
 * has grown ({@link #grew}); a line's time is that of the first note that saw it, so within a quarter of a second
 * after it was written. Notes are kept per file and move with it when the kubelet keeps it as the previous
 * container's log.
 */
public final class LogTimes {

    /** At most this many notes per file: the oldest half goes when it is reached (their lines take later times). */
    static final int MAX_NOTES = 20_000;

    private record Note(long size, Instant at) {
    }

    private final Map<Path, List<Note>> notes = new ConcurrentHashMap<>();

    /** A container starts writing {@code file} anew at {@code at}. */
    public void started(Path file, Instant at) {
        List<Note> fresh = new ArrayList<>();
        fresh.add(new Note(0, at));
        notes.put(file, fresh);
    }

    /** {@code file} holds {@code size} bytes at {@code at}. */
    public void grew(Path file, long size, Instant at) {
        List<Note> list = notes.computeIfAbsent(file, f -> new ArrayList<>());
        synchronized (list) {
            if (list.isEmpty() || list.get(list.size() - 1).size() < size) {
                if (list.size() >= MAX_NOTES) {
                    list.subList(0, MAX_NOTES / 2).clear();
                }
                list.add(new Note(size, at));
            }
        }
    }

    /** The notes of {@code from} now belong to {@code to} (the log kept for {@code --previous}). */
    public void moved(Path from, Path to) {
        List<Note> list = notes.remove(from);
        if (list != null) {
            notes.put(to, list);
        }
    }

    /** Forgets {@code file} (its pod is gone). */
    public void forget(Path file) {
        if (file != null) {
            notes.remove(file);
            notes.remove(file.resolveSibling(file.getFileName().toString().replaceFirst("\\.log$", ".previous.log")));
        }
    }

    /** When the byte at {@code offset} of {@code file} was written, as well as it is known; {@code now} if not. */
    Instant timeOf(Path file, long offset, Instant now) {
        List<Note> list = notes.get(file);
        if (list == null) {
            return now;
        }
        synchronized (list) {
            int lo = 0;
            int hi = list.size() - 1;
            Instant found = null;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (list.get(mid).size() > offset) {
                    found = list.get(mid).at();
                    hi = mid - 1;
                } else {
                    lo = mid + 1;
                }
            }
            return found == null ? now : found;
        }
    }
}
