package io.github.flinkiteration.runtime;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A sink that hands records to the test (under a run of {@link RecordingSink}) only once the
 * checkpoint or savepoint after them has completed, or at the end of its input, as a transactional
 * sink commits them. What a job received after its last completed snapshot is never handed over, so
 * the records of a job stopped or cancelled and of the job restored from its snapshot add up to
 * exactly one run. The records wait in this JVM (the MiniCluster's) under a committable id.
 */
final class CommittingRecordingSink<T> implements Sink<T>, SupportsCommitter<String> {

    private static final long serialVersionUID = 1L;

    /** Records written before a barrier, by committable id, until that snapshot completes. */
    private static final Map<String, List<Object>> PREPARED = new ConcurrentHashMap<>();

    private final String run;

    /**
     * @param run the {@link RecordingSink} run the committed records go to
     */
    CommittingRecordingSink(String run) {
        this.run = run;
    }

    @Override
    public CommittingSinkWriter<T, String> createWriter(WriterInitContext context) {
        return new CommittingSinkWriter<>() {
            private final List<Object> pending = new ArrayList<>();

            @Override
            public void write(T element, Context context) {
                pending.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public Collection<String> prepareCommit() {
                if (pending.isEmpty()) {
                    return List.of();
                }
                String id = UUID.randomUUID().toString();
                PREPARED.put(id, new ArrayList<>(pending));
                pending.clear();
                return List.of(id);
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public Committer<String> createCommitter(CommitterInitContext context) {
        return new Committer<>() {
            @Override
            public void commit(Collection<CommitRequest<String>> requests) {
                for (CommitRequest<String> request : requests) {
                    // Null if committed before: a restored committer commits its pending ids again.
                    List<Object> records = PREPARED.remove(request.getCommittable());
                    if (records != null) {
                        RecordingSink.add(run, records);
                    }
                }
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public SimpleVersionedSerializer<String> getCommittableSerializer() {
        return new SimpleVersionedSerializer<>() {
            @Override
            public int getVersion() {
                return 1;
            }

            @Override
            public byte[] serialize(String id) {
                return id.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public String deserialize(int version, byte[] serialized) {
                return new String(serialized, StandardCharsets.UTF_8);
            }
        };
    }
}
