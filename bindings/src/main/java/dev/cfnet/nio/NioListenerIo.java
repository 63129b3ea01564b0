package dev.cfnet.nio;

import dev.cfnet.spi.Connection;
import dev.cfnet.spi.SocketCore;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/** A listening socket's channel: up to 16 accepts per readiness while ACCEPT stays armed. */
final class NioListenerIo extends NioChannelIo {
    private static final int ACCEPTS_PER_DISPATCH = 16;
    private final ServerSocketChannel ssc;
    private volatile boolean paused;

    NioListenerIo(NioLoop loop, SocketCore core, ServerSocketChannel ssc, NioSocketHandle handle) {
        super(loop, core, ssc, handle);
        this.ssc = ssc;
    }

    @Override
    int interestOps() {
        return core.state() == Connection.LISTENING && core.readArmed() && !paused ? SelectionKey.OP_ACCEPT : 0;
    }

    @Override
    void ready(int ops) {
        for (int i = 0; i < ACCEPTS_PER_DISPATCH && core.isValid() && core.readArmed() && !paused; i++) {
            SocketChannel ch;
            try {
                ch = ssc.accept();
            } catch (IOException e) {
                acceptFailed(e);
                return;
            }
            if (ch == null) return;
            InetSocketAddress from;
            try {
                from = (InetSocketAddress) ch.getRemoteAddress();
            } catch (IOException e) {
                from = null;
            }
            core.accepted(NioSocketHandle.accepted(ch, handle.family()), from);
        }
    }

    /** accept() failed (e.g. out of descriptors): pause accepting briefly rather than spin on the pending one. */
    private void acceptFailed(IOException e) {
        NioLoop.LOG.log(Level.WARNING, core + ": accept failed (" + e.getMessage() + "); pausing accepts 100 ms");
        paused = true;
        refresh();
        core.loop().owner.schedule(Duration.ofMillis(100), () -> {
            paused = false;
            refresh();
        });
    }

    @Override
    void bindChannel(InetSocketAddress local) throws IOException {
        ssc.bind(local, 256);   // CFSocketSetAddress listens with backlog 256
    }
}
