package dev.cfnet.spi;

import dev.cfnet.RunLoop;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketHandle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;

/** A backend's socket. Any thread unless noted; arguments arrive validated by {@link dev.cfnet.Socket}. */
public interface SocketDriver {

    /** Begins driving the socket; called once its public object is fully built. */
    void start();

    void connect(InetSocketAddress remote, long timeoutNanos) throws SocketErrorException;

    void setAddress(InetSocketAddress local) throws SocketErrorException;

    int send(ByteBuffer data, InetSocketAddress to, long timeoutNanos) throws SocketErrorException;

    int write(ByteBuffer data) throws SocketErrorException;

    long queuedBytes();

    void setWriteQueueLimit(int bytes);

    int writeQueueLimit();

    int receive(ByteBuffer dst) throws SocketErrorException;

    InetSocketAddress receiveFrom(ByteBuffer dst) throws SocketErrorException;

    void enableCallBacks(int bits);

    void disableCallBacks(int bits);

    int flags();

    void setFlags(int bits);

    InetSocketAddress localAddress();

    InetSocketAddress peerAddress();

    void shutdownOutput() throws SocketErrorException;

    <T> void setOption(SocketOption<T> option, T value) throws IOException;

    <T> T getOption(SocketOption<T> option) throws IOException;

    boolean isValid();

    void invalidate();

    SocketHandle handle();

    void addMode(RunLoop.Mode mode);

    void removeMode(RunLoop.Mode mode);
}
