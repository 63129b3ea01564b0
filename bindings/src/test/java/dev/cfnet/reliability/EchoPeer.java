package dev.cfnet.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A plain NIO echo server for a child JVM: the scale test's peer ends live in another process, so that 10,000
 * connections fit under this machine's 20,000-descriptor limit. Prints its port, then echoes until stdin closes.
 */
public final class EchoPeer {
    public static void main(String[] args) throws IOException {
        try (Selector sel = Selector.open(); ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            server.configureBlocking(false);
            server.register(sel, SelectionKey.OP_ACCEPT);
            System.out.println(((InetSocketAddress) server.getLocalAddress()).getPort());
            System.out.flush();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (System.in.read() >= 0) { }
                } catch (IOException ignored) {
                    // parent gone
                }
                System.exit(0);
            });
            ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
            for (;;) {
                sel.select();
                for (SelectionKey k : sel.selectedKeys()) {
                    if (k.isAcceptable()) {
                        SocketChannel c;
                        while ((c = server.accept()) != null) {
                            c.configureBlocking(false);
                            c.register(sel, SelectionKey.OP_READ);
                        }
                    } else if (k.isReadable()) {
                        SocketChannel c = (SocketChannel) k.channel();
                        buf.clear();
                        int n;
                        try {
                            n = c.read(buf);
                        } catch (IOException e) {
                            n = -1;
                        }
                        if (n < 0) {
                            k.cancel();
                            c.close();
                            continue;
                        }
                        buf.flip();
                        while (buf.hasRemaining()) c.write(buf);   // small messages: the buffer has room
                    }
                }
                sel.selectedKeys().clear();
            }
        }
    }
}
