package dev.cfnet.nio;

import dev.cfnet.spi.ScheduledSource;

/** A source of an NIO loop. */
abstract class NioSource extends ScheduledSource {
    final NioLoop loop;

    NioSource(NioLoop loop) {
        super(loop.sources);
        this.loop = loop;
    }
}
