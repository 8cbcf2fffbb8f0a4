package io.github.flinkiteration.runtime;

import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Captures what the runtime logs (logger {@code io.github.flinkiteration}, INFO and above, as
 * configured in log4j2-test.properties) while it is open, as {@code "LEVEL message"} lines.
 */
public final class LogCapture extends AbstractAppender implements AutoCloseable {

    private static final String RUNTIME_LOGGER = "io.github.flinkiteration";

    private final List<String> lines = new ArrayList<>();

    private LogCapture() {
        super(
                "capture-" + System.nanoTime(),
                null,
                PatternLayout.newBuilder().withPattern("%p %m").build(),
                true,
                Property.EMPTY_ARRAY);
    }

    /** Starts capturing. */
    public static LogCapture capture() {
        LogCapture capture = new LogCapture();
        capture.start();
        runtimeLogger().addAppender(capture);
        return capture;
    }

    @Override
    public void append(LogEvent event) {
        String line = (String) getLayout().toSerializable(event);
        synchronized (lines) {
            lines.add(line);
        }
    }

    /** The lines captured so far that contain {@code text}. */
    public List<String> linesWith(String text) {
        synchronized (lines) {
            return lines.stream().filter(line -> line.contains(text)).toList();
        }
    }

    /** The logger configured for the runtime; log4j2 is the binding in tests. */
    private static Logger runtimeLogger() {
        return (Logger) LogManager.getLogger(RUNTIME_LOGGER);
    }

    @Override
    public void close() {
        runtimeLogger().removeAppender(this);
        stop();
    }
}
