package io.github.flinkiteration.tf.estimator;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Table's rows as a stream, in a job that runs in the table environment's runtime mode. A table
 * environment created with {@code EnvironmentSettings.inBatchMode()} keeps BATCH in its own
 * configuration and leaves the stream environment under it in STREAMING, but the training and
 * scoring built here are DataStream operators that run in the stream environment's mode; and the
 * iteration is built for the mode it will run in (BATCH keeps its loop pipelined, see
 * docs/architecture.md, "BATCH mode"). So the stream environment takes the table environment's mode
 * before the job's operators are added.
 */
final class TableRuntimeMode {

    private static final Logger LOG = LoggerFactory.getLogger(TableRuntimeMode.class);

    private TableRuntimeMode() {}

    /** {@code table}'s rows; their environment set to {@code tableEnv}'s runtime mode. */
    static DataStream<Row> rows(StreamTableEnvironment tableEnv, Table table) {
        DataStream<Row> rows = tableEnv.toDataStream(table);
        RuntimeExecutionMode mode = tableEnv.getConfig().get(ExecutionOptions.RUNTIME_MODE);
        StreamExecutionEnvironment env = rows.getExecutionEnvironment();
        if (env.getConfiguration().get(ExecutionOptions.RUNTIME_MODE) != mode) {
            LOG.info(
                    "The table environment runs in {} mode: its stream environment, where the"
                            + " training or scoring is added, is set to {} too.",
                    mode,
                    mode);
            env.setRuntimeMode(mode);
        }
        return rows;
    }
}
