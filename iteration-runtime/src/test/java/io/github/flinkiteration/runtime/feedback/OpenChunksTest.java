package io.github.flinkiteration.runtime.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.runtime.protocol.SerializedFeedback;
import io.github.flinkiteration.runtime.record.IterationRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;

/** A tail's chunks when the rounds of free-flowing records interleave. */
class OpenChunksTest {

    private final List<SerializedFeedback> handedOver = new ArrayList<>();
    private final OpenChunks<Integer> chunks =
            new OpenChunks<>(IntSerializer.INSTANCE, handedOver::add);

    @Test
    void recordsOfInterleavedRoundsGoIntoOneChunkPerRound() throws Exception {
        write(3, 30);
        write(1, 10);
        write(3, 31);
        write(1, 11);
        write(2, 20);
        write(3, 32);

        assertThat(handedOver).as("nothing is complete before the take").isEmpty();
        chunks.handOverAll();

        assertThat(describe(handedOver))
                .as("one chunk per round, lowest round first, each in the order written")
                .containsExactly("1:[10, 11]", "2:[20]", "3:[30, 31, 32]");
    }

    @Test
    void aRoundBeyondTheOpenOnesHandsOverTheLowestOpenRound() throws Exception {
        for (int round = 1; round <= OpenChunks.ROUNDS; round++) {
            write(round, round * 10);
        }
        write(OpenChunks.ROUNDS + 1, 99);

        assertThat(describe(handedOver)).containsExactly("1:[10]");

        write(1, 11);
        assertThat(describe(handedOver))
                .as("round 1 opens a chunk again, in place of round 2, now the lowest")
                .containsExactly("1:[10]", "2:[20]");

        chunks.handOverAll();
        assertThat(describe(handedOver).subList(2, handedOver.size()))
                .containsExactly("1:[11]", "3:[30]", "4:[40]", "5:[99]");
    }

    @Test
    void aTakeWithNothingWrittenHandsOverNothing() {
        chunks.handOverAll();

        assertThat(handedOver).isEmpty();
    }

    private void write(long round, int value) throws Exception {
        chunks.write(new StreamRecord<>(new IterationRecord<>(round - 1, value)), round);
    }

    private static List<String> describe(List<SerializedFeedback> chunks) throws Exception {
        List<String> described = new ArrayList<>();
        for (SerializedFeedback chunk : chunks) {
            List<Integer> values = new ArrayList<>();
            chunk.emit(IntSerializer.INSTANCE, record -> values.add(record.getValue().getValue()));
            described.add(chunk.round() + ":" + values);
        }
        return described;
    }
}
