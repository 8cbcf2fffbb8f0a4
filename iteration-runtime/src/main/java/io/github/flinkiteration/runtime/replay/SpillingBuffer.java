package io.github.flinkiteration.runtime.replay;

import io.github.flinkiteration.api.SpillOptions;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.ManagedMemoryUseCase;
import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.runtime.execution.Environment;
import org.apache.flink.runtime.memory.MemoryAllocationException;
import org.apache.flink.runtime.memory.MemoryManager;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;

/**
 * Where a constant's records wait between rounds: appended once, in round 0, then read from the
 * start once per later round, each read handing out fresh objects (the body may keep or change what
 * it receives).
 *
 * <p>It lives in managed memory and spills to a local file. Records are serialized into pages taken
 * one by one from the {@link MemoryManager}, up to the operator's share; what does not fit goes, in
 * order, to one spill file. A read streams the pages and then the file, through a small buffer, and
 * deserializes fresh objects. {@link #close()} gives the pages back and deletes the file.
 *
 * <p>Not thread-safe: one task thread appends and reads. The exception is a {@linkplain #freeze()
 * frozen view}, which a checkpoint thread may read while the task thread goes on: {@link #close()}
 * gives pages and file back only once every view is closed.
 */
public final class SpillingBuffer<T> implements AutoCloseable {

    private static final int FILE_BUFFER = 64 * 1024;

    private final TypeSerializer<T> serializer;
    private final MemoryManager memoryManager;
    private final Object owner;
    private final int maxPages;
    private final Path spillDirectory;
    private final String spillPrefix;

    private final List<MemorySegment> pages = new ArrayList<>();
    private final DataOutputSerializer scratch = new DataOutputSerializer(256);
    private final List<InputStream> openReaders = new ArrayList<>();
    private int positionInPage;
    private long memoryBytes;
    private Path spillFile;
    private OutputStream spillOut;
    private long spillBytes;
    private long size;
    private boolean finished;

    /**
     * Guards what frozen views and {@link #close()} share: the views open and whether the pages and
     * file were given back. A view is read from a checkpoint thread.
     */
    private final Object views = new Object();

    private int openViews;
    private boolean closed;
    private boolean released;

    /**
     * @param maxPages how many pages of {@code memoryManager} this cache may hold (its share)
     * @param spillDirectory where the spill file goes, created only if the pages do not suffice
     * @param spillPrefix the spill file's name prefix, to tell whose file it is
     */
    public SpillingBuffer(
            TypeSerializer<T> serializer,
            MemoryManager memoryManager,
            Object owner,
            int maxPages,
            Path spillDirectory,
            String spillPrefix) {
        this.serializer = serializer;
        this.memoryManager = memoryManager;
        this.owner = owner;
        this.maxPages = maxPages;
        this.spillDirectory = spillDirectory;
        this.spillPrefix = spillPrefix;
    }

    /**
     * A buffer for {@code operator}: it may take the operator's share of managed memory (the {@code
     * OPERATOR} use case, which the operator's transformation must declare) and spills to {@link
     * SpillOptions#SPILL_DIRECTORIES}, by default the TaskManager's temporary directories.
     *
     * @param name tells the spill file apart
     */
    public static <T> SpillingBuffer<T> forOperator(
            AbstractStreamOperator<?> operator, TypeSerializer<T> serializer, String name) {
        Share share = Share.of(operator, name);
        return new SpillingBuffer<>(
                serializer,
                share.memoryManager(),
                new Object(),
                share.pages(),
                share.spillDirectory(),
                share.spillPrefix());
    }

    /**
     * An operator's share of managed memory (the {@code OPERATOR} use case) in pages, and where its
     * spill files go: what an operator splits among several buffers of its own.
     */
    public record Share(
            MemoryManager memoryManager, int pages, Path spillDirectory, String spillPrefix) {

        /** {@code operator}'s share; {@code name} goes into its spill files' names. */
        public static Share of(AbstractStreamOperator<?> operator, String name) {
            Environment environment = operator.getContainingTask().getEnvironment();
            Configuration taskManagerConfig = environment.getTaskManagerInfo().getConfiguration();
            Configuration jobConfig = environment.getJobConfiguration();
            MemoryManager memoryManager = environment.getMemoryManager();
            double fraction =
                    operator.getOperatorConfig()
                            .getManagedMemoryFractionOperatorUseCaseOfSlot(
                                    ManagedMemoryUseCase.OPERATOR,
                                    jobConfig,
                                    taskManagerConfig,
                                    operator.getUserCodeClassloader());
            int subtask = operator.getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            return new Share(
                    memoryManager,
                    memoryManager.computeNumberOfPages(fraction),
                    SpillingBuffer.spillDirectory(
                            jobConfig, taskManagerConfig, environment, subtask),
                    "flink-iteration-" + name + "-" + subtask + "-");
        }

        /** A buffer of bytes its owner frames itself, in at most {@code maxPages} of the share. */
        public SpillingBuffer<Void> bytesBuffer(int maxPages) {
            return new SpillingBuffer<>(
                    null,
                    memoryManager,
                    new Object(),
                    Math.min(maxPages, pages),
                    spillDirectory,
                    spillPrefix);
        }
    }

    /**
     * Where {@code operator}'s subtask spills: {@link SpillOptions#SPILL_DIRECTORIES} of the job,
     * else of the TaskManager, else the TaskManager's temporary directories. For operators that
     * spill without a share of managed memory.
     */
    public static Path spillDirectoryOf(AbstractStreamOperator<?> operator) {
        return spillDirectoryOf(
                operator.getContainingTask().getEnvironment(),
                operator.getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
    }

    /** Where subtask {@code subtask} of a task in {@code environment} spills; see above. */
    public static Path spillDirectoryOf(Environment environment, int subtask) {
        return spillDirectory(
                environment.getJobConfiguration(),
                environment.getTaskManagerInfo().getConfiguration(),
                environment,
                subtask);
    }

    /** The configured spill directories, else the TaskManager's; spread over by subtask. */
    private static Path spillDirectory(
            Configuration jobConfig,
            Configuration taskManagerConfig,
            Environment environment,
            int subtask) {
        List<String> configured =
                jobConfig
                        .getOptional(SpillOptions.SPILL_DIRECTORIES)
                        .or(() -> taskManagerConfig.getOptional(SpillOptions.SPILL_DIRECTORIES))
                        .orElse(null);
        if (configured != null && !configured.isEmpty()) {
            return Path.of(configured.get(subtask % configured.size()));
        }
        String[] temporary = environment.getIOManager().getSpillingDirectoriesPaths();
        return Path.of(temporary[subtask % temporary.length]);
    }

    /** Appends one record. */
    public void append(T record) throws IOException {
        if (finished) {
            throw new IllegalStateException("The cache was finished; it takes no more records.");
        }
        scratch.clear();
        serializer.serialize(record, scratch);
        write(scratch.getSharedBuffer(), scratch.length());
        size++;
    }

    private void write(byte[] bytes, int length) throws IOException {
        int offset = 0;
        while (offset < length && spillOut == null) {
            MemorySegment page = pageWithRoom();
            if (page == null) {
                openSpillFile();
                break;
            }
            int n = Math.min(length - offset, page.size() - positionInPage);
            page.put(positionInPage, bytes, offset, n);
            positionInPage += n;
            memoryBytes += n;
            offset += n;
        }
        if (offset < length) {
            spillOut.write(bytes, offset, length - offset);
            spillBytes += length - offset;
        }
    }

    /** The page to write into, a new one if the last is full; null once the share is used. */
    private MemorySegment pageWithRoom() {
        if (!pages.isEmpty() && positionInPage < pages.get(pages.size() - 1).size()) {
            return pages.get(pages.size() - 1);
        }
        if (pages.size() >= maxPages) {
            return null;
        }
        try {
            pages.addAll(memoryManager.allocatePages(owner, 1));
        } catch (MemoryAllocationException e) {
            return null; // the share is on paper only: spill
        }
        positionInPage = 0;
        return pages.get(pages.size() - 1);
    }

    private void openSpillFile() throws IOException {
        Files.createDirectories(spillDirectory);
        spillFile = Files.createTempFile(spillDirectory, spillPrefix, ".spill");
        spillOut = new BufferedOutputStream(Files.newOutputStream(spillFile), FILE_BUFFER);
    }

    /**
     * Appends {@code length} bytes its owner serialized and frames itself; they count as no record.
     * Read them back with {@link #openBytes()}.
     */
    public void appendBytes(byte[] bytes, int length) throws IOException {
        if (finished) {
            throw new IllegalStateException("The buffer was finished; it takes no more bytes.");
        }
        write(bytes, length);
    }

    /**
     * A new stream over every byte appended so far, pages first and then the spill file, which
     * neither ends nor disturbs other reads; the caller closes it. Appending while it is open is
     * not allowed.
     */
    public InputStream openBytes() throws IOException {
        InputStream bytes = new PagesInputStream();
        if (spillFile != null) {
            if (!finished) {
                spillOut.flush();
            }
            bytes =
                    new java.io.SequenceInputStream(
                            bytes,
                            new BufferedInputStream(Files.newInputStream(spillFile), FILE_BUFFER));
        }
        return bytes;
    }

    /** Pages of managed memory this buffer holds now. */
    public int pages() {
        return pages.size();
    }

    /** Ends the appending; reads are possible from now on. */
    public void finish() throws IOException {
        finished = true;
        if (spillOut != null) {
            spillOut.close();
        }
    }

    /** How many records were appended. */
    public long size() {
        return size;
    }

    /** Bytes held in managed memory. */
    public long memoryBytes() {
        return memoryBytes;
    }

    /** Bytes written to the spill file; 0 if everything fit in memory. */
    public long spilledBytes() {
        return spillBytes;
    }

    /** Reads every record, in the order they were appended; ends the previous read. */
    public Iterator<T> read() throws IOException {
        return read(0);
    }

    /**
     * Reads the records from number {@code from} (0-based) on, in order; ends the previous read.
     * The records before it are deserialized and dropped, so a late start costs a partial read.
     */
    public Iterator<T> read(long from) throws IOException {
        Iterator<T> records = readAll();
        for (long i = 0; i < from && records.hasNext(); i++) {
            records.next();
        }
        return records;
    }

    /**
     * Where the records are: what a checkpoint of the buffer has to account for. The pages are
     * memory and the file is local to this TaskManager, so neither outlives a failover.
     */
    public Layout layout() {
        synchronized (views) {
            return new Layout(size, memoryBytes, released ? null : spillFile, spillBytes);
        }
    }

    /**
     * The records of a buffer and where they lie: the first {@code memoryBytes} serialized bytes in
     * managed-memory pages, the next {@code spilledBytes} in {@code spillFile} (null if none).
     */
    public record Layout(long records, long memoryBytes, Path spillFile, long spilledBytes) {}

    private Iterator<T> readAll() throws IOException {
        if (!finished) {
            throw new IllegalStateException("The cache is read only after finish().");
        }
        closeReaders();
        InputStream bytes = new PagesInputStream();
        if (spillFile != null) {
            bytes =
                    new java.io.SequenceInputStream(
                            bytes,
                            new BufferedInputStream(Files.newInputStream(spillFile), FILE_BUFFER));
        }
        openReaders.add(bytes);
        DataInputViewStreamWrapper in = new DataInputViewStreamWrapper(bytes);
        return new Iterator<>() {
            private long read;

            @Override
            public boolean hasNext() {
                return read < size;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                read++;
                try {
                    return serializer.deserialize(in);
                } catch (IOException e) {
                    throw new UncheckedIOException("Could not read a cached record", e);
                }
            }
        };
    }

    private void closeReaders() throws IOException {
        for (InputStream reader : openReaders) {
            reader.close();
        }
        openReaders.clear();
    }

    /**
     * Gives back the pages and deletes the spill file, at once or, while frozen views are open,
     * when the last of them closes.
     */
    @Override
    public void close() throws IOException {
        try {
            closeReaders();
            if (spillOut != null) {
                spillOut.close();
            }
        } finally {
            boolean release;
            synchronized (views) {
                closed = true;
                release = openViews == 0;
            }
            if (release) {
                release();
            }
        }
    }

    private void release() throws IOException {
        synchronized (views) {
            if (released) {
                return;
            }
            released = true;
        }
        memoryManager.release(pages);
        pages.clear();
        if (spillFile != null) {
            Files.deleteIfExists(spillFile);
        }
    }

    /**
     * The bytes appended so far, frozen: later appends, reads and {@link #close()} do not change
     * what the view reads, and the pages and file stay until the view is closed. Cheap (no bytes
     * are copied), so a checkpoint can take it in its synchronous phase and write it in the
     * asynchronous one, from another thread.
     */
    public Frozen freeze() throws IOException {
        if (spillOut != null && !finished) {
            spillOut.flush(); // the view reads the file by its own handle
        }
        synchronized (views) {
            if (closed) {
                throw new IllegalStateException("The buffer was closed; nothing to freeze.");
            }
            openViews++;
        }
        return new Frozen(List.copyOf(pages), memoryBytes, spillFile, spillBytes, size);
    }

    /**
     * The bytes of a buffer as they were when it was {@linkplain #freeze() frozen}: the first
     * {@code memoryBytes} in {@code pages}, the next {@code fileBytes} in {@code file}. One thread
     * reads it; closing it (once is enough, again does nothing) may give the buffer's pages back.
     */
    public final class Frozen implements AutoCloseable {
        private final List<MemorySegment> frozenPages;
        private final long frozenMemoryBytes;
        private final Path file;
        private final long fileBytes;
        private final long records;
        private boolean viewClosed;

        private Frozen(
                List<MemorySegment> pages,
                long memoryBytes,
                Path file,
                long fileBytes,
                long records) {
            this.frozenPages = pages;
            this.frozenMemoryBytes = memoryBytes;
            this.file = file;
            this.fileBytes = fileBytes;
            this.records = records;
        }

        /** Bytes in the view. */
        public long bytes() {
            return frozenMemoryBytes + fileBytes;
        }

        /** Records appended with {@link #append} before the freeze. */
        public long records() {
            return records;
        }

        /** Writes bytes {@code from} to {@code from + length} of the view to {@code out}. */
        public void writeTo(OutputStream out, long from, long length) throws IOException {
            if (from < 0 || length < 0 || from + length > bytes()) {
                throw new IllegalArgumentException(
                        "Bytes " + from + " + " + length + " lie outside " + bytes());
            }
            byte[] copy = new byte[FILE_BUFFER];
            long position = from;
            long end = from + length;
            long inPagesEnd = Math.min(end, frozenMemoryBytes);
            while (position < inPagesEnd) {
                int pageSize = frozenPages.get(0).size();
                MemorySegment page = frozenPages.get((int) (position / pageSize));
                int offset = (int) (position % pageSize);
                int n =
                        (int)
                                Math.min(
                                        Math.min(copy.length, pageSize - offset),
                                        inPagesEnd - position);
                page.get(offset, copy, 0, n);
                out.write(copy, 0, n);
                position += n;
            }
            if (position < end) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                    channel.position(position - frozenMemoryBytes);
                    InputStream in = Channels.newInputStream(channel);
                    while (position < end) {
                        int n = in.read(copy, 0, (int) Math.min(copy.length, end - position));
                        if (n < 0) {
                            throw new IOException("Spill file " + file + " ended early");
                        }
                        out.write(copy, 0, n);
                        position += n;
                    }
                }
            }
        }

        /** Lets the buffer give its pages back and delete its file, if it was closed meanwhile. */
        @Override
        public void close() {
            boolean release;
            synchronized (views) {
                if (viewClosed) {
                    return;
                }
                viewClosed = true;
                openViews--;
                release = closed && openViews == 0;
            }
            if (release) {
                try {
                    release();
                } catch (IOException e) {
                    throw new UncheckedIOException("Could not delete spill file " + file, e);
                }
            }
        }
    }

    /** The bytes in the pages, in order. */
    private final class PagesInputStream extends InputStream {
        private int page;
        private int position;
        private long remaining = memoryBytes;

        /**
         * Serializers read most fields a byte at a time through {@code DataInputStream}, so this is
         * the hot path of a replay: one byte straight from its page, no array per call.
         */
        @Override
        public int read() {
            if (remaining == 0) {
                return -1;
            }
            MemorySegment segment = pages.get(page);
            int b = segment.get(position) & 0xff;
            position++;
            remaining--;
            if (position == segment.size()) {
                page++;
                position = 0;
            }
            return b;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            if (remaining == 0) {
                return -1;
            }
            MemorySegment segment = pages.get(page);
            int n = (int) Math.min(Math.min(length, segment.size() - position), remaining);
            segment.get(position, target, offset, n);
            position += n;
            remaining -= n;
            if (position == segment.size()) {
                page++;
                position = 0;
            }
            return n;
        }
    }
}
