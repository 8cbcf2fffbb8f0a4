package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.tf.model.RoundLoss;
import io.github.flinkiteration.tf.params.RemainderPolicy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * At parallelism 2, 1,003 rows in batches of 50 leave each trainer a partial last batch (502 and
 * 501 rows). Every policy finishes every round, and trains on the rows it says: DROP 2 × 500, PAD 2
 * × 550, PARTIAL all 1,003.
 */
class RemainderPolicyTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TFCluster.extension();

    private static final int ROUNDS = 2;

    @ParameterizedTest(name = "{0}")
    @EnumSource(RemainderPolicy.class)
    void everyRoundEndsAndTrainsOnTheRowsThePolicySays(RemainderPolicy policy) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        TrainingRun run =
                TrainingRun.execute(
                        env,
                        BlobData.logisticRegression()
                                .setBatchSize(50)
                                .setRemainderPolicy(policy)
                                .setMaxRounds(ROUNDS)
                                .fit(env.fromData(BlobData.rows(1_003, 3), BlobData.rowType())));

        long expectedRows = expectedRowsPerRound(policy, new int[] {502, 501}, 50);
        assertThat(run.losses).hasSize(ROUNDS);
        for (RoundLoss loss : run.losses) {
            assertThat(loss.rows).as("rows of round %d", loss.round).isEqualTo(expectedRows);
        }
        assertThat(run.weights).hasSize(1);
    }

    private static long expectedRowsPerRound(RemainderPolicy policy, int[] partitions, int batch) {
        long rows = 0;
        for (int partition : partitions) {
            int full = partition / batch * batch;
            rows +=
                    switch (policy) {
                        case DROP -> full;
                        case PAD -> full + (partition % batch == 0 ? 0 : batch);
                        case PARTIAL -> partition;
                    };
        }
        return rows;
    }
}
