/**
 * cfnet: Apple's CFSocket / CFHost / CFRunLoop model for Java, over CoreFoundation (FFM) or pure NIO.
 *
 * <p>The generated CoreFoundation bindings ({@code dev.cfnet.cf.ffi}) are not part of the API: code that ports CF
 * calls one by one opts in, on the module path with {@code --add-exports dev.cfnet/dev.cfnet.cf.ffi=<its module>}.
 */
module dev.cfnet {
    exports dev.cfnet;
    /** TLS over cfnet sockets, with the JDK's SSLEngine. */
    exports dev.cfnet.tls;
    /** What only the CoreFoundation backend has: the main run loop, adopted CFRunLoops, which CF loaded. */
    exports dev.cfnet.corefoundation;

    uses dev.cfnet.spi.BackendProvider;
    provides dev.cfnet.spi.BackendProvider with dev.cfnet.nio.NioProvider, dev.cfnet.cf.CfProvider;
}
