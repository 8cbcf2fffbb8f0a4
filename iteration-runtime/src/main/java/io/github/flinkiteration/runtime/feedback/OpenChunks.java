package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.protocol.SerializedFeedback;
import io.github.flinkiteration.runtime.record.IterationRecord;
import java.io.IOException;
import java.util.function.Consumer;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The chunks a tail is writing: one per round, for up to {@value #ROUNDS} rounds at once.
 *
 * <p>A chunk holds one round. In lock-step a tail sees one round at a time, but in free flow the
 * rounds in flight interleave record by record (initial input entering round 1 between feedback of
 * round 30, say); cutting a chunk at every change of round made chunks of a few records. A record
 * of a further round hands over the chunk of the lowest open round.
 */
final class OpenChunks<T> {

    static final int ROUNDS = 4;

    private final Consumer<SerializedFeedback> handOver;
    private final SerializedFeedback.BufferPool pool = new SerializedFeedback.BufferPool();
    private final SerializedFeedback.Writer<T>[] writers;

    /** The round each writer holds records of; -1 for none. */
    private final long[] rounds = new long[ROUNDS];

    /** The writer of the last record: runs of one round are the common case. */
    private int last;

    @SuppressWarnings("unchecked")
    OpenChunks(TypeSerializer<T> valueSerializer, Consumer<SerializedFeedback> handOver) {
        this.handOver = handOver;
        this.writers = new SerializedFeedback.Writer[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            writers[i] = new SerializedFeedback.Writer<>(valueSerializer, pool);
            rounds[i] = -1;
        }
    }

    /**
     * Appends {@code record}'s value to the chunk of {@code round}; hands over any it completes.
     */
    void write(StreamRecord<IterationRecord<T>> record, long round) throws IOException {
        int slot = rounds[last] == round ? last : slotFor(round);
        last = slot;
        SerializedFeedback full = writers[slot].write(record, round);
        if (full != null) {
            handOver.accept(full);
        }
    }

    private int slotFor(long round) {
        int lowest = 0;
        for (int i = 0; i < ROUNDS; i++) {
            if (rounds[i] == round) {
                return i;
            }
            if (rounds[i] < rounds[lowest]) {
                lowest = i;
            }
        }
        // A free slot has round -1, the lowest of all.
        handOverSlot(lowest);
        rounds[lowest] = round;
        return lowest;
    }

    /**
     * Writes later chunks into the buffer of {@code chunk}, which these writers wrote and nobody
     * reads any more.
     */
    void reuse(SerializedFeedback chunk) {
        pool.giveBack(chunk);
    }

    /** Hands over every chunk being written, lowest round first. */
    void handOverAll() {
        while (true) {
            int lowest = -1;
            for (int i = 0; i < ROUNDS; i++) {
                if (rounds[i] >= 0 && (lowest < 0 || rounds[i] < rounds[lowest])) {
                    lowest = i;
                }
            }
            if (lowest < 0) {
                return;
            }
            handOverSlot(lowest);
        }
    }

    private void handOverSlot(int slot) {
        SerializedFeedback chunk = writers[slot].take();
        rounds[slot] = -1;
        if (chunk != null) {
            handOver.accept(chunk);
        }
    }
}
