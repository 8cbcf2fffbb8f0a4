package io.github.flinkiteration.flinkml;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The data streams of a bounded iteration, each either replayed to the body in every round or read
 * once, in round 0. The body sees the replayed streams first, then the others, each group in the
 * order given here.
 *
 * <pre>{@code
 * ReplayableDataStreamList data =
 *         ReplayableDataStreamList.replay(trainData).andNotReplay(initialStatistics);
 * }</pre>
 */
public class ReplayableDataStreamList {

    private final List<DataStream<?>> replayedDataStreams;
    private final List<DataStream<?>> nonReplayedStreams;

    private ReplayableDataStreamList(
            List<DataStream<?>> replayedDataStreams, List<DataStream<?>> nonReplayedStreams) {
        this.replayedDataStreams =
                Collections.unmodifiableList(new ArrayList<>(replayedDataStreams));
        this.nonReplayedStreams = Collections.unmodifiableList(new ArrayList<>(nonReplayedStreams));
    }

    /** Streams the body reads in every round (bound with {@code bindConstant}). */
    public static ReplayedDataStreamList replay(DataStream<?>... dataStreams) {
        return new ReplayedDataStreamList(Arrays.asList(dataStreams));
    }

    /** Streams the body reads once, in round 0 (bound with {@code bindData}). */
    public static NonReplayedDataStreamList notReplay(DataStream<?>... dataStreams) {
        return new NonReplayedDataStreamList(Arrays.asList(dataStreams));
    }

    /** The streams replayed in every round. */
    public List<DataStream<?>> getReplayedDataStreams() {
        return replayedDataStreams;
    }

    /** The streams read once. */
    public List<DataStream<?>> getNonReplayedStreams() {
        return nonReplayedStreams;
    }

    /** Replayed streams, to which streams read once can be added. */
    public static class ReplayedDataStreamList extends ReplayableDataStreamList {

        private ReplayedDataStreamList(List<DataStream<?>> replayed) {
            super(replayed, List.of());
        }

        /** These replayed streams plus {@code nonReplayedStreams}, read once. */
        public ReplayableDataStreamList andNotReplay(DataStream<?>... nonReplayedStreams) {
            return new ReplayableDataStreamList(
                    getReplayedDataStreams(), Arrays.asList(nonReplayedStreams));
        }
    }

    /** Streams read once, to which replayed streams can be added. */
    public static class NonReplayedDataStreamList extends ReplayableDataStreamList {

        private NonReplayedDataStreamList(List<DataStream<?>> nonReplayed) {
            super(List.of(), nonReplayed);
        }

        /** These streams read once plus {@code replayedStreams}, replayed in every round. */
        public ReplayableDataStreamList andReplay(DataStream<?>... replayedStreams) {
            return new ReplayableDataStreamList(
                    Arrays.asList(replayedStreams), getNonReplayedStreams());
        }
    }
}
