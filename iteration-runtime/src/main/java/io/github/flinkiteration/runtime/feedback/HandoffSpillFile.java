package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.protocol.SerializedFeedback;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The file a {@link FeedbackChannel} spills feedback chunks to once its heap limit is reached
 * ({@link HandoffSpill}). Chunks are appended as frames (records, length, bytes); the channel keeps
 * a small {@link Run} per stretch of consecutive frames of one round in its queue, in the place of
 * the chunks, and reads them back (as chunks of at most {@link SerializedFeedback#CHUNK_BYTES})
 * when the head takes them or a checkpoint stores them.
 *
 * <p>Not thread-safe: the channel calls it under its lock, from the tail's thread (appends) and the
 * head's (reads). The file is created at the first spill, emptied whenever nothing refers to it any
 * more, and deleted by {@link #close()}.
 */
final class HandoffSpillFile implements AutoCloseable {

    private static final int HEADER_BYTES = 8;
    private static final int WRITE_BUFFER = 64 * 1024;

    private final Path directory;
    private final String prefix;
    private Path path;
    private FileChannel file;

    /** Bytes appended, buffered ones included; where the next frame goes. */
    private long end;

    /** Appended bytes not yet in the file. */
    private final ByteBuffer pending = ByteBuffer.allocate(WRITE_BUFFER);

    private final ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);

    HandoffSpillFile(Path directory, String prefix) {
        this.directory = directory;
        this.prefix = prefix;
    }

    /** Appends {@code chunk}; returns a run of this one frame. */
    Run append(SerializedFeedback chunk) throws IOException {
        if (file == null) {
            Files.createDirectories(directory);
            path = Files.createTempFile(directory, prefix, ".spill");
            file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        long start = end;
        header.clear();
        header.putInt(chunk.count()).putInt(chunk.serializedBytes()).flip();
        write(header);
        write(ByteBuffer.wrap(chunk.bytes(), 0, chunk.serializedBytes()));
        return new Run(chunk.round(), start, 1, end - start, chunk.count());
    }

    private void write(ByteBuffer bytes) throws IOException {
        end += bytes.remaining();
        if (bytes.remaining() > pending.remaining()) {
            flush();
            while (bytes.hasRemaining()) {
                file.write(bytes);
            }
            return;
        }
        pending.put(bytes);
    }

    private void flush() throws IOException {
        pending.flip();
        while (pending.hasRemaining()) {
            file.write(pending);
        }
        pending.clear();
    }

    /**
     * Reads up to {@code maxFrames} frames of {@code run}, and no more once {@code maxBytes} were
     * read (one frame at least), as chunks of the run's round. With {@code consume} the run then
     * starts after them.
     */
    List<SerializedFeedback> read(Run run, long maxFrames, long maxBytes, boolean consume)
            throws IOException {
        if (pending.position() > 0) {
            flush();
        }
        List<SerializedFeedback> chunks = new ArrayList<>();
        long position = run.offset;
        long frames = 0;
        long bytesRead = 0;
        long records = 0;
        byte[] merged = null;
        int mergedLength = 0;
        int mergedCount = 0;
        while (frames < Math.min(maxFrames, run.frames) && (frames == 0 || bytesRead < maxBytes)) {
            header.clear();
            readFully(header, position);
            header.flip();
            int count = header.getInt();
            int length = header.getInt();
            if (merged != null && mergedLength + length > SerializedFeedback.CHUNK_BYTES) {
                chunks.add(new SerializedFeedback(run.round, merged, mergedLength, mergedCount));
                merged = null;
            }
            if (merged == null) {
                merged = new byte[Math.max(length, SerializedFeedback.CHUNK_BYTES)];
                mergedLength = 0;
                mergedCount = 0;
            }
            readFully(ByteBuffer.wrap(merged, mergedLength, length), position + HEADER_BYTES);
            mergedLength += length;
            mergedCount += count;
            position += HEADER_BYTES + length;
            bytesRead += HEADER_BYTES + length;
            records += count;
            frames++;
        }
        if (merged != null) {
            chunks.add(new SerializedFeedback(run.round, merged, mergedLength, mergedCount));
        }
        if (consume) {
            run.offset = position;
            run.frames -= frames;
            run.bytes -= bytesRead;
            run.records -= records;
        }
        return chunks;
    }

    private void readFully(ByteBuffer target, long position) throws IOException {
        while (target.hasRemaining()) {
            int n = file.read(target, position);
            if (n < 0) {
                throw new IOException("The feedback spill file " + path + " ended early");
            }
            position += n;
        }
    }

    /** Nothing refers to the file any more: it starts again from its beginning. */
    void reset() throws IOException {
        if (file != null && end > 0) {
            pending.clear();
            file.truncate(0);
            end = 0;
        }
    }

    /** The spill file, or null if nothing spilled (yet). */
    Path path() {
        return path;
    }

    /** Deletes the file. */
    @Override
    public void close() throws IOException {
        try {
            if (file != null) {
                file.close();
            }
        } finally {
            file = null;
            if (path != null) {
                Files.deleteIfExists(path);
                path = null;
            }
        }
    }

    /**
     * Consecutive frames of one round in the file, in the channel's queue where their chunks would
     * be: each frame stands for one item the tail put.
     */
    static final class Run {
        final long round;
        long offset;
        long frames;
        long bytes;
        long records;

        Run(long round, long offset, long frames, long bytes, long records) {
            this.round = round;
            this.offset = offset;
            this.frames = frames;
            this.bytes = bytes;
            this.records = records;
        }

        /** Whether {@code next} follows this run directly in the file, in the same round. */
        boolean canTake(Run next) {
            return next.round == round && next.offset == offset + bytes;
        }

        void take(Run next) {
            frames += next.frames;
            bytes += next.bytes;
            records += next.records;
        }

        Run copy() {
            return new Run(round, offset, frames, bytes, records);
        }
    }
}
