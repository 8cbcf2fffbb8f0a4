package io.github.flinkiteration.runtime;

import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Captures what the runtime logs (logger {@code io.github.flinkiteration}, INFO and above, as
 * configured in log4j2-test.properties) while it is open, as {@code "LEVEL message"} lines.
 */
public final class LogCapture extends AbstractAppender implements AutoCloseable {

    private static final String RUNTIME_LOGGER = "io.github.flinkiteration";

    private final List<String> lines = new ArrayList<>();

    private LogCapture() {
        super("capture-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
    }

    /** Starts capturing. */
    public static LogCapture capture() {
        LogCapture capture = new LogCapture();
        capture.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        configuration.addAppender(capture);
        LoggerConfig logger = configuration.getLoggerConfig(RUNTIME_LOGGER);
        logger.addAppender(capture, Level.ALL, null);
        context.updateLoggers();
        return capture;
    }

    @Override
    public void append(LogEvent event) {
        String line = event.getLevel() + " " + event.getMessage().getFormattedMessage();
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

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getLoggerConfig(RUNTIME_LOGGER).removeAppender(getName());
        context.updateLoggers();
        stop();
    }
}
